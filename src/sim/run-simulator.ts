/** What `liftwatch simulate` calls: build a simulator, serve it on every target, start it. */
import { scenarioByName, type ScenarioName } from './scenarios.js';
import { parseSimTarget } from './sim-target.js';
import { Simulator } from './simulator.js';

export interface RunSimulatorArgs {
  targets: string[];
  units: number[];
  landings: number;
  scenario: ScenarioName;
  seed?: number;
  logger?: (line: string) => void;
}

/** Resolves once every target is serving and the clock runs; the caller owns `stop()`. */
export async function runSimulator(args: RunSimulatorArgs): Promise<Simulator> {
  const targets = args.targets.map(parseSimTarget); // fail on a bad spec before binding anything
  const seed = args.seed ?? 1;
  const sim = new Simulator({
    lifts: args.units.map((unitId) => ({ unitId, landings: args.landings, seed: seed * 1000 + unitId })),
    scenario: scenarioByName(args.scenario, args.units),
    ...(args.logger ? { logger: args.logger } : {}),
  });
  try {
    for (const t of targets) {
      if (t.kind === 'serial') {
        await sim.openSerial(t.baudRate !== undefined ? { path: t.path, baudRate: t.baudRate } : { path: t.path });
      } else {
        const { port } = await sim.listenTcp({ host: t.host, port: t.port, framing: t.framing });
        args.logger?.(`simulator: ${t.framing === 'rtu' ? 'tcp' : 'mbap'}://${t.host}:${port}`);
      }
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  sim.start();
  return sim;
}

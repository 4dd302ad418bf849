/** What `liftwatch simulate` calls: build a simulator, serve it on every target, start it. */
import type { BehaviourArg } from './behaviour-arg.js';
import { SimError } from './errors.js';
import { scenarioByName, type ScenarioName } from './scenarios.js';
import { parseSimTarget } from './sim-target.js';
import { Simulator } from './simulator.js';
import { trafficByName, type TrafficName } from './traffic.js';

export interface RunSimulatorArgs {
  targets: string[];
  units: number[];
  /** Landings per lift; default the traffic profile's, else 6. */
  landings?: number;
  scenario: ScenarioName;
  /** A traffic profile for every lift (traffic.ts); default the model's own timing, no bounce. */
  traffic?: TrafficName;
  /** Behaviours injected at start, each on its units (default every lift). */
  behaviours?: BehaviourArg[];
  seed?: number;
  logger?: (line: string) => void;
}

/** Resolves once every target is serving and the clock runs; the caller owns `stop()`. */
export async function runSimulator(args: RunSimulatorArgs): Promise<Simulator> {
  const targets = args.targets.map(parseSimTarget); // fail on a bad spec before binding anything
  const traffic = args.traffic !== undefined ? trafficByName(args.traffic) : undefined;
  const landings = args.landings ?? traffic?.landings ?? 6;
  for (const b of args.behaviours ?? []) {
    const unknown = b.units?.filter((u) => !args.units.includes(u)) ?? [];
    if (unknown.length > 0) {
      throw new SimError('SIM_UNKNOWN_UNIT', `behaviour ${b.spec.kind}: no simulated lift with unit id ${unknown.join(', ')}`, { units: unknown });
    }
  }
  const seed = args.seed ?? 1;
  const sim = new Simulator({
    lifts: args.units.map((unitId) => ({ unitId, landings, seed: seed * 1000 + unitId, ...(traffic ? { traffic } : {}) })),
    scenario: scenarioByName(args.scenario, args.units),
    ...(args.logger ? { logger: args.logger } : {}),
  });
  for (const b of args.behaviours ?? []) for (const u of b.units ?? args.units) sim.lift(u).inject(b.spec);
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

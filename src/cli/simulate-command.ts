/** `liftwatch simulate`: serve simulated lifts as Modbus slaves for a bench or a test. */
import { runSimulator } from '../sim/run-simulator.js';
import { SCENARIO_NAMES, type ScenarioName } from '../sim/scenarios.js';
import { isFramesTarget, parseFramesTarget } from '../sim/sim-target.js';
import { EXIT } from './load.js';

export interface SimulateArgs {
  listen: string[];
  units: number[];
  landings: number;
  scenario: string;
  seed: number;
}

export async function simulateCommand(args: SimulateArgs): Promise<number> {
  if (!(SCENARIO_NAMES as readonly string[]).includes(args.scenario)) {
    process.stderr.write(`liftwatch simulate: unknown scenario "${args.scenario}" (expected one of ${SCENARIO_NAMES.join(', ')})\n`);
    return EXIT.USAGE;
  }
  // Issue 8: ascii:/dev/... and binary:/dev/... serve the plain-frames protocols.
  const frames = args.listen.filter(isFramesTarget).map(parseFramesTarget);
  const sim = await runSimulator({
    targets: args.listen.filter((l) => !isFramesTarget(l)),
    units: args.units,
    landings: args.landings,
    scenario: args.scenario as ScenarioName,
    seed: args.seed,
    logger: (line) => process.stdout.write(line + '\n'),
  });
  try {
    for (const f of frames) {
      await sim.openFramesSerial({ path: f.path, protocol: f.protocol, ...(f.baudRate ? { baudRate: f.baudRate } : {}) });
      process.stdout.write(`simulator: ${f.protocol} frames on ${f.path}\n`);
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  process.stdout.write(`simulating units ${args.units.join(', ')} (scenario ${args.scenario}); Ctrl-C stops\n`);
  return await new Promise<number>((resolve) => {
    const stop = (): void => {
      sim.stop().then(
        () => resolve(EXIT.OK),
        () => resolve(EXIT.FAILURE),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

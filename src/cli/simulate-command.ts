/** `liftwatch simulate`: serve simulated lifts as Modbus slaves for a bench or a test. */
import { parseBehaviourArg, type BehaviourArg } from '../sim/behaviour-arg.js';
import { SimError } from '../sim/errors.js';
import { runSimulator } from '../sim/run-simulator.js';
import { SCENARIO_NAMES, type ScenarioName } from '../sim/scenarios.js';
import { isFramesTarget, parseFramesTarget } from '../sim/sim-target.js';
import { isTrafficName, TRAFFIC_NAMES } from '../sim/traffic.js';
import { EXIT } from './load.js';

export interface SimulateArgs {
  listen: string[];
  units: number[];
  landings?: number;
  /** Default: demo; trips when a traffic profile or a behaviour is given. */
  scenario?: string;
  traffic?: string;
  /** KIND[:ARG...][@UNITS] specs (src/sim/behaviour-arg.ts). */
  behaviour?: string[];
  seed: number;
}

function usage(message: string): number {
  process.stderr.write(`liftwatch simulate: ${message}\n`);
  return EXIT.USAGE;
}

export async function simulateCommand(args: SimulateArgs): Promise<number> {
  const bench = args.traffic !== undefined || (args.behaviour?.length ?? 0) > 0;
  const scenario = args.scenario ?? (bench ? 'trips' : 'demo');
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    return usage(`unknown scenario "${scenario}" (expected one of ${SCENARIO_NAMES.join(', ')})`);
  }
  if (args.traffic !== undefined && !isTrafficName(args.traffic)) {
    return usage(`unknown traffic profile "${args.traffic}" (expected one of ${TRAFFIC_NAMES.join(', ')})`);
  }
  let behaviours: BehaviourArg[];
  try {
    behaviours = (args.behaviour ?? []).map(parseBehaviourArg);
  } catch (err) {
    if (err instanceof SimError) return usage(err.message);
    throw err;
  }
  // ascii:/dev/... and binary:/dev/... serve the plain-frames protocols.
  const frames = args.listen.filter(isFramesTarget).map(parseFramesTarget);
  const sim = await runSimulator({
    targets: args.listen.filter((l) => !isFramesTarget(l)),
    units: args.units,
    ...(args.landings !== undefined ? { landings: args.landings } : {}),
    scenario: scenario as ScenarioName,
    ...(args.traffic !== undefined && isTrafficName(args.traffic) ? { traffic: args.traffic } : {}),
    behaviours,
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
  const traffic = args.traffic !== undefined ? `, traffic ${args.traffic}` : '';
  process.stdout.write(`simulating units ${args.units.join(', ')} (scenario ${scenario}${traffic}); Ctrl-C stops\n`);
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

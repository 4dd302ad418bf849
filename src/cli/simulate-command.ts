/** `liftwatch simulate`: serve simulated lifts as Modbus slaves for a bench or a test. */
import { runSimulator } from '../sim/run-simulator.js';
import { SCENARIO_NAMES, type ScenarioName } from '../sim/scenarios.js';
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
  const sim = await runSimulator({
    targets: args.listen,
    units: args.units,
    landings: args.landings,
    scenario: args.scenario as ScenarioName,
    seed: args.seed,
    logger: (line) => process.stdout.write(line + '\n'),
  });
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

/** `liftwatch config check`: the configuration, its profiles and the start checks, as `run` makes them. */
import { checkEnvironment, EXIT, loadAll, reportConfigError } from './load.js';
import { configCoverageLines } from './format/coverage.js';

/** Prints what is valid and what each lift's wiring can detect; the exit code. */
export async function configCheck(path: string): Promise<number> {
  try {
    const { config, profiles } = loadAll(path);
    // What `run` would trip on, through the same checks `run` makes (src/preflight/).
    const warnings = await checkEnvironment(config, 'check');
    // Then which alarms each lift's wiring can detect: a gap is a warning for the installer,
    // not an error. One write, so `config check | head -1` does not meet a closed pipe.
    process.stdout.write(
      `${path}: valid (site ${config.site.id}, gateway ${config.gateway.id}, ${config.buses.length} bus(es), ${config.lifts.length} lift(s), profiles ${[...profiles.keys()].join(', ')})\n` +
        configCoverageLines(config, profiles) +
        warnings.map((w) => w + '\n').join(''),
    );
    return EXIT.OK;
  } catch (err) {
    return reportConfigError(err);
  }
}

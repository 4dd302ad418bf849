import { ConfigError, formatProblem } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { loadProfilesForConfig } from '../config/profiles.js';
import type { Config, DeviceProfile } from '../config/types.js';
import { redactText } from '../platform/redact.js';
import { environmentError, preflight, toProblems, type Bind } from '../preflight/index.js';
import { checkSchedule } from '../schedule/cron-check.js';
import { StartFailure } from './start-guard.js';
import { EXIT } from './defaults.js';

/** Re-exported for the modules that already take it from here. */
export { EXIT } from './defaults.js';

/** Loads and checks the config and every profile it names; throws ConfigError listing every problem. */
export function loadAll(file: string): { config: Config; profiles: Map<string, DeviceProfile> } {
  const config = loadConfig(file);
  const profiles = loadProfilesForConfig(config);
  checkSchedule(config); // cron syntax and the EN 81-28 test-call interval
  return { config, profiles };
}

/**
 * The start checks (src/preflight/) for `config check` and `run` alike: throws a ConfigError
 * (CONFIG_ENVIRONMENT) with every error; returns the warnings as printable lines.
 */
export async function checkEnvironment(config: Config, mode: 'check' | 'run', binds: Bind[] = []): Promise<string[]> {
  const findings = await preflight(config, { mode, binds });
  const warnings = toProblems(findings.filter((f) => f.severity === 'warning'), config).map((p) => `warning: ${formatProblem(p)}`);
  const err = environmentError(findings, config);
  if (err) {
    if (warnings.length > 0) process.stderr.write(warnings.join('\n') + '\n');
    throw err;
  }
  return warnings;
}

/** A start that failed after the checks, as the configuration problem it is (file, key, cause). */
export function startFailureError(err: StartFailure, config: Config): ConfigError {
  const [problem] = toProblems([{ severity: 'error', reason: 'START_FAILED', key: err.key, message: err.detail }], config);
  return new ConfigError('CONFIG_ENVIRONMENT', problem ? [problem] : []);
}

export function reportConfigError(err: unknown): number {
  if (err instanceof ConfigError) {
    const what = err.code === 'CONFIG_ENVIRONMENT' ? 'cannot run on this machine as it is' : 'is not valid';
    process.stderr.write(redactText(`liftwatch: the configuration ${what} (${err.code}); nothing was started.\n${err.message}\n`));
    return EXIT.CONFIG;
  }
  throw err;
}

import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { loadProfilesForConfig } from '../config/profiles.js';
import type { Config, DeviceProfile } from '../config/types.js';
import { redactText } from '../platform/redact.js';
import { checkSchedule } from '../schedule/cron-check.js';

export const DEFAULT_CONFIG = '/etc/liftwatch/liftwatch.yaml';

/** Exit codes scripts can trust. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 3 } as const;

/** Loads and checks the config and every profile it names; throws ConfigError listing every problem. */
export function loadAll(file: string): { config: Config; profiles: Map<string, DeviceProfile> } {
  const config = loadConfig(file);
  const profiles = loadProfilesForConfig(config);
  checkSchedule(config); // cron syntax and the EN 81-28 test-call interval (issue 6)
  return { config, profiles };
}

export function reportConfigError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(redactText(`liftwatch: the configuration is not valid (${err.code}); nothing was started.\n${err.message}\n`));
    return EXIT.CONFIG;
  }
  throw err;
}

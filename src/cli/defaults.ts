/**
 * What the command line needs before it knows which command runs: default paths and the exit
 * codes. Node's own modules only, so `liftwatch --help` loads no library but commander.
 */
import path from 'node:path';
import { packageRoot } from '../platform/package-root.js';

export const DEFAULT_CONFIG = '/etc/liftwatch/liftwatch.yaml';

/** Exit codes scripts can trust. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 3 } as const;

/** The package's device profiles (the same directory src/config/profiles.ts looks in). */
export function defaultDevicesDir(): string {
  return path.join(packageRoot(), 'devices');
}

/** The demo's configuration, shipped with the package. */
export function demoConfig(): string {
  return path.join(packageRoot(), 'config', 'demo.yaml');
}

/**
 * Config format versions, and the migrations from each older one (zigbee2mqtt's settings
 * migrations): a file without `version` is version 1. Migrations run on the parsed YAML before
 * the schema sees it, in order, each returning what it changed so that `config check` and the
 * start can say so; the file on disk is not rewritten. A file from a newer liftwatch is refused:
 * its keys may mean what this version cannot know.
 */
import { ConfigError } from './errors.js';

export const CONFIG_VERSION = 2;

/** One change a migration made, by key path. */
export interface MigrationNote {
  path: string[];
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** MIGRATIONS[n] takes a version n+1 document to version n+2, in place. */
const MIGRATIONS: Array<(data: Obj) => MigrationNote[]> = [
  // 1 -> 2: uplink.healthIntervalSec had been ignored since schedule.health became the one
  // setting of the health message; version 2 no longer has the key.
  (data) => {
    const uplink = data['uplink'];
    if (!isObj(uplink) || !('healthIntervalSec' in uplink)) return [];
    delete uplink['healthIntervalSec'];
    return [
      {
        path: ['uplink', 'healthIntervalSec'],
        message:
          'expected no uplink.healthIntervalSec: it is ignored; the health message follows schedule.health.cron alone (every minute by default). Dropped by the migration to config version 2',
      },
    ];
  },
];

/**
 * Brings a parsed config to CONFIG_VERSION in place and returns what changed. A version that is
 * not a whole number from 1 up is left for the schema to name.
 */
export function migrateConfig(data: unknown, file: string): MigrationNote[] {
  if (!isObj(data)) return [];
  const raw = data['version'] ?? 1;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) return [];
  if (raw > CONFIG_VERSION) {
    throw new ConfigError('CONFIG_INVALID', [
      { file, path: 'version', message: `expected a config version up to ${CONFIG_VERSION} (this liftwatch), got ${raw}: the file was written for a newer liftwatch` },
    ]);
  }
  const notes: MigrationNote[] = [];
  for (let v = raw; v < CONFIG_VERSION; v++) notes.push(...MIGRATIONS[v - 1]!(data));
  data['version'] = CONFIG_VERSION;
  return notes;
}

/**
 * Every path a configuration makes the agent touch, with the key that names it: what it creates
 * and writes (the database and the files SQLite puts beside it, both diagnostics sockets, the
 * commissioning reports beside the database; usage statistics live in the database itself),
 * what it only reads (the config, credential and TLS files, device profiles) and the serial
 * devices it opens. Relative paths are taken from the working directory, as the agent does.
 */
import path from 'node:path';
import type { PathSegment } from '../config/errors.js';
import { resolveProfileFile } from '../config/profiles.js';
import type { Config } from '../config/types.js';
import { socketPaths } from '../diagnostics/paths.js';

export type Access = 'creates' | 'reads' | 'device';

export interface PathUse {
  key: PathSegment[];
  /** Absolute path. */
  file: string;
  /** What it is, for messages: "the database", "the read-only diagnostics socket". */
  what: string;
  access: Access;
  /** How the agent creates it (for `creates`). */
  kind?: 'database' | 'database-side' | 'socket';
}

/** SQLite's files beside a database in WAL mode, and the rollback journal it may leave. */
export const DATABASE_SIDE_FILES = [
  ['-wal', 'write-ahead log'],
  ['-shm', 'shared-memory index'],
  ['-journal', 'rollback journal'],
] as const;

/** Commissioning reports: `commissioning-<time>.json|.txt` in the database's directory (docs/installer.md). */
export const REPORT_NAME = /^commissioning-.+\.(json|txt)$/;

export function pathUses(config: Config): PathUse[] {
  const uses: PathUse[] = [];
  const abs = (p: string): string => path.resolve(process.cwd(), p);
  const db = abs(config.storage.path);
  uses.push({ key: ['storage', 'path'], file: db, what: 'the database', access: 'creates', kind: 'database' });
  for (const [suffix, what] of DATABASE_SIDE_FILES) {
    uses.push({ key: ['storage', 'path'], file: db + suffix, what: `the database's ${what} (${path.basename(db)}${suffix})`, access: 'creates', kind: 'database-side' });
  }
  if (config.diagnostics?.enabled !== false) {
    const s = socketPaths(config.diagnostics);
    uses.push({ key: ['diagnostics', 'socket'], file: s.socket, what: 'the full-access diagnostics socket', access: 'creates', kind: 'socket' });
    if (s.readOnly !== null) {
      uses.push({ key: ['diagnostics', 'readOnlySocket'], file: s.readOnly, what: 'the read-only diagnostics socket', access: 'creates', kind: 'socket' });
    }
  }
  uses.push({ key: [], file: abs(config.file), what: 'the configuration file', access: 'reads' });
  const u = config.uplink;
  if (u.passwordFile !== undefined) uses.push({ key: ['uplink', 'passwordFile'], file: abs(u.passwordFile), what: 'the MQTT password file', access: 'reads' });
  for (const k of ['ca', 'cert', 'key'] as const) {
    const f = u.tls?.[k];
    if (f !== undefined) uses.push({ key: ['uplink', 'tls', k], file: abs(f), what: `the TLS ${k === 'ca' ? 'CA certificate' : k === 'cert' ? 'client certificate' : 'client key'}`, access: 'reads' });
  }
  if (config.broker.enabled && config.broker.passwordFile !== undefined) {
    uses.push({ key: ['broker', 'passwordFile'], file: abs(config.broker.passwordFile), what: "the embedded broker's password file", access: 'reads' });
  }
  const baseDir = path.dirname(config.file);
  config.lifts.forEach((lift, i) => {
    uses.push({ key: ['lifts', i, 'profile'], file: resolveProfileFile(lift.profile, { baseDir }), what: `the device profile of lift ${lift.id}`, access: 'reads' });
  });
  config.buses.forEach((bus, i) => {
    if (bus.type === 'modbus-rtu' || bus.type === 'serial-frames') {
      uses.push({ key: ['buses', i, 'port'], file: abs(bus.port), what: `the serial port of bus ${bus.id}`, access: 'device' });
    }
  });
  return uses;
}

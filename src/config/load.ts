/**
 * Reads and validates the YAML configuration against config/schema.json (the documentation
 * of every key), then runs the checks a schema cannot express. All problems are reported in
 * one ConfigError, each naming the file, the path and what was expected.
 */
import os from 'node:os';
import path from 'node:path';
import { checkAliasExpansion, checkYamlDepth, readTextFile } from './input-limits.js';
import { yamlLibrary } from './yaml-library.js';
import type { Config } from './types.js';
import { configSchemaValidator } from './validators/index.js';
import { migrateConfig, type MigrationNote } from './migrate.js';
import {
  ConfigError,
  describeValue,
  formatPath,
  problemsFromAjv,
  type ConfigErrorCode,
  type ConfigProblem,
  type LineOf,
  type PathSegment,
} from './errors.js';

export interface LoadOptions {
  /** Used for the default gateway id; default os.hostname(). */
  hostname?: string;
}

export { packageRoot } from '../platform/package-root.js';

/** How a file is named in messages: relative to the cwd when inside it. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

export interface YamlSource {
  data: unknown;
  lineOf: LineOf;
}

/** Parses YAML text; syntax errors become a ConfigError with line and column. */
export function parseYaml(text: string, file: string, code: ConfigErrorCode = 'CONFIG_YAML'): YamlSource {
  checkYamlDepth(text, file, code); // before the parser, which recurses
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      code,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : '(top level)';
        const what = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        return { file, path: where, message: `invalid YAML: ${what}` };
      }),
    );
  }
  checkAliasExpansion(doc, lineCounter, file, code); // before toJS expands them
  const lineOf: LineOf = (segments) => {
    for (let n = segments.length; n >= 0; n--) {
      const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && Array.isArray(node.range)) {
        return lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // yaml's own bound on alias expansion, behind checkAliasExpansion's
    throw new ConfigError(code, [{ file, path: '(top level)', message: `expected YAML without excessive aliases, got ${(err as Error).message}` }]);
  }
  return { data, lineOf };
}


export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  // Bounded: at most 1 MiB of text from a regular file (./input-limits.ts).
  const text = readTextFile(file, displayPath(file), 'config file', 'CONFIG_NOT_FOUND', 'CONFIG_YAML');
  return parseConfig(text, file, opts);
}

/** What the migrations changed in each loaded config (migrate.ts), for config check and the start. */
const configMigrations = new WeakMap<Config, MigrationNote[]>();

export function migrationsOf(config: Config): MigrationNote[] {
  return configMigrations.get(config) ?? [];
}

/** Where each loaded config's keys are in its file, for problems found after loading. */
const configLines = new WeakMap<Config, LineOf>();

/** The line of a key path in the file `config` was parsed from, when known. */
export function lineOfKey(config: Config, segments: readonly PathSegment[]): number | undefined {
  return configLines.get(config)?.(segments);
}

export function parseConfig(text: string, file: string, opts: LoadOptions = {}): Config {
  const shown = displayPath(file);
  const { data, lineOf } = parseYaml(text, shown);
  if (data === null || data === undefined) {
    throw new ConfigError('CONFIG_INVALID', [
      { file: shown, path: '(top level)', message: 'expected a mapping with site, buses, lifts and uplink, got an empty file' },
    ]);
  }
  const migrated = migrateConfig(data, shown);
  const validate = configSchemaValidator(); // config/schema.json, pre-compiled
  const problems: ConfigProblem[] = [];
  if (!validate(data)) problems.push(...problemsFromAjv(validate.errors ?? [], shown, data, lineOf));
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    problems.push(...semanticProblems(data as Record<string, unknown>, shown, lineOf));
  }
  if (problems.length > 0) throw new ConfigError('CONFIG_INVALID', uniqueByPath(problems));
  const config = applyDerivedDefaults(data as Omit<Config, 'file'>, file, opts);
  configLines.set(config, lineOf);
  configMigrations.set(config, migrated);
  return config;
}

/** One problem per path: the first (schema) finding wins over a later semantic one. */
export function uniqueByPath(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\0${p.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function applyDerivedDefaults(raw: Omit<Config, 'file'>, file: string, opts: LoadOptions): Config {
  const cfg = raw as Config;
  cfg.file = path.resolve(file);
  if (cfg.gateway.id === undefined) cfg.gateway.id = hostnameToId(opts.hostname ?? os.hostname());
  cfg.uplink.clientId ??= `liftwatch-${cfg.gateway.id}`;
  cfg.storage.path = path.resolve(process.cwd(), cfg.storage.path);
  for (const lift of cfg.lifts) lift.label ??= lift.id;
  for (const bus of cfg.buses) {
    // config/schema.json, tcpBus.interFrameGapMs: Modbus TCP needs no silence between frames (the
    // MBAP header frames them); RTU tunnelled through a converter is replayed on a serial line.
    if (bus.type === 'modbus-tcp' || bus.type === 'modbus-rtu-over-tcp') bus.interFrameGapMs ??= bus.type === 'modbus-tcp' ? 0 : 5;
  }
  return cfg;
}

/** 'pi-lift.local' -> 'pi-lift': an MQTT-safe id (no '/', '+', '#', '.'). */
export function hostnameToId(hostname: string): string {
  const first = hostname.split('.')[0] ?? '';
  const id = first.replace(/[^A-Za-z0-9_-]/g, '-');
  return id === '' ? 'gateway' : id;
}

type Obj = Record<string, unknown>;

function entries(v: unknown): Array<[number, Obj]> {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x, i): Array<[number, Obj]> => (x !== null && typeof x === 'object' ? [[i, x as Obj]] : []));
}

/** Checks a schema cannot express: unique ids, bus references, unit ids unique per bus. */
function semanticProblems(data: Obj, file: string, lineOf: LineOf): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (segments: PathSegment[], message: string): void => {
    const line = lineOf(segments);
    out.push({ file, path: formatPath(segments), message, ...(line === undefined ? {} : { line }) });
  };

  const busIds = new Map<string, number>();
  for (const [i, bus] of entries(data.buses)) {
    if (typeof bus.id !== 'string') continue;
    const first = busIds.get(bus.id);
    if (first !== undefined) {
      add(['buses', i, 'id'], `expected a bus id not used before, got "${bus.id}" (already used by buses[${first}])`);
    } else busIds.set(bus.id, i);
  }

  const liftIds = new Map<string, number>();
  const units = new Map<string, number>(); // `${bus}\0${unitId}` -> lift index
  for (const [i, lift] of entries(data.lifts)) {
    if (typeof lift.id === 'string') {
      const first = liftIds.get(lift.id);
      if (first !== undefined) {
        add(['lifts', i, 'id'], `expected a lift id not used before, got "${lift.id}" (already used by lifts[${first}])`);
      } else liftIds.set(lift.id, i);
    }
    if (typeof lift.bus === 'string' && !busIds.has(lift.bus)) {
      const known = [...busIds.keys()].join(', ') || 'none defined';
      add(['lifts', i, 'bus'], `expected the id of a bus under buses (${known}), got ${describeValue(lift.bus)}`);
    }
    if (typeof lift.bus === 'string' && typeof lift.unitId === 'number') {
      const key = `${lift.bus}\0${lift.unitId}`;
      const first = units.get(key);
      if (first !== undefined) {
        add(['lifts', i, 'unitId'],
          `expected a unit id not used by another lift on bus "${lift.bus}", got ${lift.unitId} (already used by lifts[${first}])`);
      } else units.set(key, i);
    }
  }

  const uplink = data.uplink as Obj | undefined;
  const min = uplink?.reconnectMinMs;
  const max = uplink?.reconnectMaxMs;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    add(['uplink', 'reconnectMaxMs'], `expected at least reconnectMinMs (${min}), got ${max}`);
  }
  return out;
}

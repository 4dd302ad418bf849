/**
 * Errors for configuration and device-profile files. Every problem names the file, the path
 * inside it and what was expected, so an installer can fix the file without reading code:
 *   config/demo.yaml: lifts[1].unitId: expected an integer from 1 to 247, got 0 (line 14)
 */
import type { ErrorObject } from 'ajv';
import { redactText, redactUrlValue } from '../platform/redact.js';

export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_YAML'
  | 'CONFIG_INVALID'
  | 'PROFILE_NOT_FOUND'
  | 'PROFILE_INVALID'
  | 'CONFIG_ENVIRONMENT'; // valid, but this machine cannot run it as it is (src/preflight/)

/** A stable reason for one problem, where a script may want to tell them apart. */
export type ProblemReason =
  // the file itself (./input-limits.ts)
  | 'FILE_TOO_LARGE'
  | 'NOT_TEXT'
  | 'YAML_TOO_DEEP'
  | 'YAML_ALIASES'
  // the machine it runs on (src/preflight/)
  | 'PATH_COLLISION' // two keys name the same file, or one lives inside the other
  | 'PATH_WRONG_TYPE' // e.g. a directory where a database goes, a regular file where a socket goes
  | 'PATH_NOT_WRITABLE' // the directory a file is created in cannot be written
  | 'PATH_TOO_LONG' // a unix socket path beyond the 107 bytes of sun_path
  | 'NOT_A_DATABASE' // an existing file that is not SQLite: never opened, never overwritten
  | 'FILE_UNREADABLE' // a credential or TLS file missing, unreadable, empty or not PEM
  | 'URL_INVALID'
  | 'SOCKET_IN_USE' // another agent answers on the diagnostics socket
  | 'PORT_UNAVAILABLE' // the embedded broker's (or the demo simulator's) port
  | 'START_FAILED' // opening, binding or starting failed after the checks passed
  | 'DEPRECATED_KEY'; // a key that is still accepted and no longer has an effect

export interface ConfigProblem {
  /** The file as shown to the user (relative to the cwd when inside it). */
  file: string;
  /** Path inside the file, e.g. `lifts[1].unitId`; `(top level)` for the whole document. */
  path: string;
  /** What was expected and what was found. */
  message: string;
  /** 1-based line of the offending value, when known. */
  line?: number;
  /** Stable reason, when the problem has one (schema problems do not). */
  reason?: ProblemReason;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly problems: ConfigProblem[];

  constructor(code: ConfigErrorCode, problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n') || code);
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
  }
}

/** One problem as a line; a URL's password never shows, whatever put it into the message. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? '' : ` (line ${p.line})`;
  return redactText(`${p.file}: ${p.path}: ${p.message}${where}`);
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ['lifts', 1, 'unitId'] -> 'lifts[1].unitId' */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Splits an ajv instancePath ('/lifts/1/unitId') into segments, using the data to tell list indexes from keys. */
export function pointerSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

/** How a found value reads in a message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') {
    // Redacted before it is shortened: a cut could leave a password without its `@`.
    const r = redactUrlValue(v);
    const s = r.length > 60 ? `${r.slice(0, 57)}...` : r;
    return v === '' ? 'an empty string' : JSON.stringify(s);
  }
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Human wording for the patterns used in config/schema.json and devices/schema.json. */
const PATTERN_TEXT: Record<string, string> = {
  '^[A-Za-z0-9_-]+$': 'an id of letters, digits, "_" and "-" (no spaces, "/", "+" or "#")',
  '^(mqtt|mqtts|tcp|ssl|ws|wss)://.+$': 'a broker URL such as mqtt://host:1883 or mqtts://host:8883',
  '^[^/+#]+(/[^/+#]+)*$': 'MQTT topic levels separated by "/" (no "+", "#", leading or trailing "/")',
  '^-?[0-9]+$': 'an integer register value such as "0" or "2"',
};

type Schema = Record<string, unknown>;

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** What a (sub)schema expects, in an installer's words. */
export function describeSchema(s: Schema | undefined): string {
  if (s === undefined) return 'a value';
  if (Array.isArray(s.enum)) return s.enum.length === 1 ? list(s.enum) : `one of ${list(s.enum)}`;
  if (s.const !== undefined) return list([s.const]);
  if (typeof s.pattern === 'string' && s.type === undefined) return PATTERN_TEXT[s.pattern] ?? `text matching ${s.pattern}`;
  const type = s.type;
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  const range = (what: string): string =>
    min !== undefined && max !== undefined
      ? `${what} from ${min} to ${max}`
      : min !== undefined
        ? `${what} of at least ${min}`
        : max !== undefined
          ? `${what} of at most ${max}`
          : what;
  if (type === 'integer') return range('an integer');
  if (type === 'number') return range('a number');
  if (type === 'boolean') return 'true or false';
  if (type === 'string') {
    if (typeof s.pattern === 'string') return PATTERN_TEXT[s.pattern] ?? `a string matching ${s.pattern}`;
    return s.minLength === 1 ? 'a non-empty string' : 'a string';
  }
  if (type === 'array') {
    const what = typeof s.minItems === 'number' && s.minItems > 0 ? 'a non-empty list' : 'a list';
    const item = s.items as Schema | undefined;
    const itemText = item?.type === 'string' ? ' of quoted strings (e.g. ["-1", "0", "1"])' : '';
    return `${what}${itemText}${s.uniqueItems === true ? ' without duplicates' : ''}`;
  }
  if (type === 'object') {
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    return required.length > 0 ? `a mapping with ${required.join(', ')}` : 'a mapping';
  }
  if (Array.isArray(type)) return `a value of type ${type.join(' or ')}`;
  return 'a valid value';
}

/** Closest allowed key by edit distance, for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const [a, b] = [word.toLowerCase(), c.toLowerCase()];
    const prefix = Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a));
    const d = a === b || prefix ? 0 : editDistance(a, b);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(1, Math.floor(word.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Keywords whose failure is best told as "expected <what the schema wants>, got <value>". */
const VALUE_KEYWORDS = new Set([
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'multipleOf',
]);

export type LineOf = (segments: readonly PathSegment[]) => number | undefined;

/**
 * Turns ajv errors (run with allErrors and verbose) into installer-readable problems, one per
 * path. `lineOf` maps a path onto the YAML source line.
 */
export function problemsFromAjv(
  errors: readonly ErrorObject[],
  file: string,
  data: unknown,
  lineOf: LineOf = () => undefined,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  const add = (segments: PathSegment[], message: string): void => {
    const path = formatPath(segments);
    if (seen.has(path)) return;
    seen.add(path);
    const line = lineOf(segments);
    out.push(line === undefined ? { file, path, message } : { file, path, message, line });
  };
  for (const e of errors) {
    const base = pointerSegments(e.instancePath, data);
    const parent = e.parentSchema;
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue; // the inner error says it
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((parent?.properties as Schema | undefined) ?? {});
      const guess = closest(key, allowed);
      const hint = guess ? `; did you mean "${guess}"?` : '';
      add([...base, key], `unknown key "${key}" (allowed: ${allowed.join(', ')})${hint}`);
    } else if (e.keyword === 'required') {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const sub = (parent?.properties as Record<string, Schema> | undefined)?.[key];
      add([...base, key], `expected ${describeSchema(sub)}, got nothing (this key is required)`);
    } else if (e.keyword === 'uniqueItems') {
      const { i } = e.params as { i: number; j: number };
      const dup: unknown = Array.isArray(e.data) ? (e.data as unknown[])[i] : undefined;
      add(base, `expected ${describeSchema(parent)}, got ${describeValue(dup)} twice`);
    } else if (VALUE_KEYWORDS.has(e.keyword)) {
      if (e.propertyName !== undefined) {
        add([...base, e.propertyName], `expected a key that is ${describeSchema(parent)}, got ${JSON.stringify(e.propertyName)}`);
      } else {
        // YAML reads 0, -1, yes-like words as numbers/booleans: tell the installer to quote them.
        const quote = parent?.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean');
        const hint = quote ? ` (write it in quotes: "${String(e.data)}")` : '';
        add(base, `expected ${describeSchema(parent)}, got ${describeValue(e.data)}${hint}`);
      }
    } else {
      add(base, e.message ?? `failed ${e.keyword}`);
    }
  }
  return out;
}

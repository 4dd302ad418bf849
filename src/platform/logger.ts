/**
 * The production logger behind the Logger port, on pino: one JSON object per line on
 * stdout, which journald stores as is (`journalctl -u liftwatch -o cat | jq`), or a readable
 * `time LEVEL [ns] msg k=v` line on a terminal. Namespaced per module (`liftwatch:agent:bus:field`)
 * with a level per namespace prefix, and secrets printed as HIDDEN (zigbee2mqtt's convention):
 * any key that names a password, secret, token or key, at any depth, and the password in a URL.
 *
 * The TTY format is a dozen lines below instead of pino-pretty: one dependency fewer on an SD card.
 */
import pino from 'pino';
import type { Logger } from '../ports/logger.js';
import { redactText } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface PinoLoggerOptions {
  /** Level of every namespace without its own entry (default info). */
  level?: LogLevel;
  /** Level per namespace prefix without the root, e.g. { 'agent:bus': 'debug', uplink: 'warn' }; the longest match wins. */
  levels?: Record<string, LogLevel>;
  /** Readable lines instead of JSON (default: whether the destination is a terminal). */
  pretty?: boolean;
  /** Where lines go (default stdout, synchronously so nothing is lost at exit). */
  write?: (line: string) => void;
  /** 'stdout' (run: journald) or 'stderr' (demo: stdout carries the alarm lines). */
  stream?: 'stdout' | 'stderr';
  /** Root namespace (default liftwatch). */
  root?: string;
}

const SECRET_KEY = /pass(word|phrase)?$|passwd|secret|token|credential|authorization|cookie|(^|[^a-z])key$|privatekey|apikey/i;

/** Secrets out of a log record: by key at any depth, and passwords inside URLs in strings. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactSecrets(value.message, depth + 1), code: (value as { code?: unknown }).code };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? 'HIDDEN' : redactSecrets(v, depth + 1);
    return out;
  }
  return value;
}

/** The level a namespace runs at: the longest matching prefix in `levels`, else `level`. */
export function levelFor(ns: string, level: LogLevel, levels: Record<string, LogLevel> = {}): LogLevel {
  let best: { len: number; level: LogLevel } | null = null;
  for (const [prefix, lv] of Object.entries(levels)) {
    if ((ns === prefix || ns.startsWith(prefix + ':')) && (!best || prefix.length > best.len)) best = { len: prefix.length, level: lv };
  }
  return best?.level ?? level;
}

/** One pino JSON line as `12:00:01.234 WARN  [liftwatch:uplink] msg k=v`. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { time, level, ns, msg, ...rest } = o;
  const kv = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const t = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${t} ${String(level).toUpperCase().padEnd(5)} [${String(ns)}] ${String(msg ?? '')}${kv ? ' ' + kv : ''}`;
}

export class PinoLogger implements Logger {
  private readonly pino: pino.Logger;
  private readonly opts: Required<Pick<PinoLoggerOptions, 'level' | 'levels'>>;

  /** `path` is the namespace below the root ('' for the root logger); `root` is shared by all children. */
  constructor(
    opts: PinoLoggerOptions = {},
    private readonly root: pino.Logger = PinoLogger.rootPino(opts),
    private readonly path = '',
    private readonly rootName = opts.root ?? 'liftwatch',
  ) {
    this.opts = { level: opts.level ?? 'info', levels: opts.levels ?? {} };
    const ns = path ? `${this.rootName}:${path}` : this.rootName;
    this.pino = root.child({ ns }, { level: levelFor(path, this.opts.level, this.opts.levels) });
  }

  private static rootPino(opts: PinoLoggerOptions): pino.Logger {
    const stream = opts.stream ?? 'stdout';
    const pretty = opts.pretty ?? Boolean((stream === 'stdout' ? process.stdout : process.stderr).isTTY);
    let write = opts.write;
    if (!write) {
      const dest = pino.destination({ fd: stream === 'stdout' ? 1 : 2, sync: true });
      write = (line) => dest.write(line);
    }
    const out = write;
    const sink = { write: (s: string) => out(pretty ? prettyLine(s) + '\n' : s) };
    return pino(
      {
        level: 'debug',
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        messageKey: 'msg',
        formatters: {
          level: (label) => ({ level: label }),
          log: (obj) => redactSecrets(obj) as Record<string, unknown>,
        },
      },
      sink,
    );
  }

  child(namespace: string): Logger {
    const path = this.path ? `${this.path}:${namespace}` : namespace;
    return new PinoLogger(this.opts, this.root, path, this.rootName);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.pino.debug(fields ?? {}, redactText(msg));
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.pino.info(fields ?? {}, redactText(msg));
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.pino.warn(fields ?? {}, redactText(msg));
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.pino.error(fields ?? {}, redactText(msg));
  }
}

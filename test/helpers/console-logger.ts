/**
 * A small namespaced logger behind the Logger port, for tests and benchmarks: one line per record on stderr, JSON when
 * stderr is not a terminal (journald), `time level [ns] msg k=v` on a terminal. Keys that look
 * like secrets are printed as HIDDEN (zigbee2mqtt's convention).
 * The production logger, on pino with per-module levels, is src/platform/logger.ts.
 */
import { redactText } from '../../src/platform/redact.js';
import type { Level, Logger } from '../../src/ports/logger.js';

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET = /pass(word)?|secret|token|key$/i;

export interface ConsoleLoggerOptions {
  level?: Level;
  json?: boolean;
  write?: (line: string) => void;
}

export class ConsoleLogger implements Logger {
  private readonly level: Level;
  private readonly json: boolean;
  private readonly write: (line: string) => void;

  constructor(
    opts: ConsoleLoggerOptions = {},
    private readonly ns = 'liftwatch',
  ) {
    this.level = opts.level ?? 'info';
    this.json = opts.json ?? !process.stderr.isTTY;
    this.write = opts.write ?? ((line) => process.stderr.write(line + '\n'));
  }

  child(namespace: string): Logger {
    return new ConsoleLogger({ level: this.level, json: this.json, write: this.write }, `${this.ns}:${namespace}`);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  private log(level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const safe = redact(fields ?? {});
    msg = redactText(msg);
    if (this.json) {
      this.write(JSON.stringify({ time: new Date().toISOString(), level, ns: this.ns, msg, ...safe }));
      return;
    }
    const kv = Object.entries(safe)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const time = new Date().toISOString().slice(11, 23);
    this.write(`${time} ${level.toUpperCase().padEnd(5)} [${this.ns}] ${msg}${kv ? ' ' + kv : ''}`);
  }
}

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET.test(k)) out[k] = 'HIDDEN';
    else if (typeof v === 'string') out[k] = redactText(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = redact(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/**
 * What the technician's commands share once one runs: finding the running agent's socket from the
 * config, and the read-only store when the agent is stopped. Their options and help are in
 * index.ts, which loads this module only when a command runs.
 */
import { ConfigError } from '../../config/errors.js';
import type { Config, DiagnosticsConfig } from '../../config/types.js';
import { DiagnosticsClient } from '../../diagnostics/client.js';
import { socketPaths } from '../../diagnostics/paths.js';
import { DiagnosticsError, readOnlyPath } from '../../diagnostics/protocol.js';
import type { StoreReader } from '../../diagnostics/store-reader.js';
import { output, type Out } from '../format/output.js';
import { CODE, codeFor } from './exit-codes.js';
import { diagnosticsOf } from './socket-of.js';

export interface DiagOptions {
  config: string;
  socket?: string;
  json?: boolean;
}

export interface Session {
  out: Out;
  config: Config | null;
  /** Connected client, or null when the agent does not answer (see `why`). */
  client: DiagnosticsClient | null;
  why: DiagnosticsError | null;
  /** The store read-only, for offline answers; null without a config. better-sqlite3 is loaded only here. */
  reader(): Promise<StoreReader | null>;
}

/** Connects to the agent the options name, or null (then the caller takes the validated way). */
async function quickConnect(o: DiagOptions): Promise<DiagnosticsClient | null> {
  const d = o.socket ? null : diagnosticsOf(o.config);
  if (!o.socket && !d) return null;
  const paths = o.socket ? { socket: o.socket, readOnly: readOnlyPath(o.socket) } : socketPaths(d as DiagnosticsConfig);
  const group = d?.group === false ? null : (d?.group ?? 'liftwatch');
  const client = new DiagnosticsClient(paths.socket, paths.readOnly, group);
  try {
    return await client.connect();
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    return null;
  }
}

/**
 * Connects to the agent; loads and validates the config only when the agent does not answer
 * (for offline answers and the reason), or when the file cannot be read without it. Never
 * throws for a stopped agent.
 */
export async function openSession(o: DiagOptions): Promise<Session | number> {
  const out = output({ json: o.json });
  const quick = await quickConnect(o);
  if (quick) return { out, config: null, client: quick, why: null, reader: async () => null };
  const { loadConfig } = await import('../../config/load.js');
  let config: Config | null = null;
  try {
    config = loadConfig(o.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (!o.socket) {
      out.error(`cannot read the configuration (${err.code}); give --config PATH or --socket PATH\n${err.message}`);
      return CODE.CONFIG;
    }
  }
  const paths = o.socket ? { socket: o.socket, readOnly: readOnlyPath(o.socket) } : socketPaths(config?.diagnostics);
  const group = config?.diagnostics?.group === false ? null : (config?.diagnostics?.group ?? 'liftwatch');
  const client = new DiagnosticsClient(paths.socket, paths.readOnly, group);
  let why: DiagnosticsError | null = null;
  try {
    await client.connect();
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    why = err;
  }
  return {
    out,
    config,
    client: why ? null : client,
    why,
    reader: async () => {
      if (!config) return null;
      const { StoreReader } = await import('../../diagnostics/store-reader.js');
      return new StoreReader(config.storage.path, new Map(config.lifts.map((l) => [l.id, l.landings])));
    },
  };
}

/** Runs `fn` with a session and turns diagnostics errors into messages and exit codes. */
export async function withSession(o: DiagOptions, fn: (s: Session) => Promise<number>): Promise<number> {
  const s = await openSession(o);
  if (typeof s === 'number') return s;
  try {
    return await fn(s);
  } catch (err) {
    if (err instanceof DiagnosticsError) {
      s.out.error(`${err.message} (${err.code})`);
      return codeFor(err.code);
    }
    throw err;
  } finally {
    s.client?.close();
  }
}

/** For commands that need the agent: the reason it is not there, as message and exit code. */
export function needAgent(s: Session): DiagnosticsClient {
  if (s.client) return s.client;
  throw whyOffline(s);
}

/** Why the agent did not answer (set whenever there is no client). */
export function whyOffline(s: Session): DiagnosticsError {
  return s.why ?? new DiagnosticsError('NO_AGENT', 'the agent is not running');
}

/** Says on stderr (never in the JSON) that an answer comes from the file, not the agent. */
export function offlineNote(s: Session, path: string): void {
  process.stderr.write(`liftwatch: the agent is not running (${s.why?.message ?? 'no answer'}); read from ${path} read-only\n`);
}

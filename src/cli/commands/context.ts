/**
 * What the technician's commands share: the options (--config, --socket, --json), finding the
 * running agent's socket from the config, and the read-only store when the agent is stopped.
 */
import { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/types.js';
import { DiagnosticsClient } from '../../diagnostics/client.js';
import { socketPaths } from '../../diagnostics/paths.js';
import { DiagnosticsError, readOnlyPath } from '../../diagnostics/protocol.js';
import { StoreReader } from '../../diagnostics/store-reader.js';
import { DEFAULT_CONFIG } from '../load.js';
import { output, type Out } from '../format/output.js';
import { CODE, codeFor, usageExits } from './exit-codes.js';

export interface DiagOptions {
  config: string;
  socket?: string;
  json?: boolean;
}

/** A technician's subcommand with the shared options and an example in --help. */
export function diagCommand(program: Command, name: string, description: string, examples: string[]): Command {
  const cmd = program
    .command(name)
    .description(description)
    .option('-c, --config <path>', 'configuration file (names the socket and the database)', DEFAULT_CONFIG)
    .option('--socket <path>', 'diagnostics socket (default: from the configuration)')
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
  return usageExits(cmd);
}

export interface Session {
  out: Out;
  config: Config | null;
  /** Connected client, or null when the agent does not answer (see `why`). */
  client: DiagnosticsClient | null;
  why: DiagnosticsError | null;
  /** The store read-only, for offline answers; null without a config. */
  reader(): StoreReader | null;
}

/** Loads the config (when there is one) and connects; never throws for a stopped agent. */
export async function openSession(o: DiagOptions): Promise<Session | number> {
  const out = output({ json: o.json });
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
    reader: () => (config ? new StoreReader(config.storage.path, new Map(config.lifts.map((l) => [l.id, l.landings]))) : null),
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
  throw s.why ?? new DiagnosticsError('NO_AGENT', 'the agent is not running');
}

/** Says on stderr (never in the JSON) that an answer comes from the file, not the agent. */
export function offlineNote(s: Session, path: string): void {
  process.stderr.write(`liftwatch: the agent is not running (${s.why?.message ?? 'no answer'}); read from ${path} read-only\n`);
}

/**
 * What the start checks find. A finding names the config key it is about (the path inside the
 * file), so it prints like every other configuration problem:
 *   /etc/liftwatch/liftwatch.yaml: diagnostics.socket: expected ..., got ... (line 31)
 */
import { ConfigError, formatPath, type ConfigProblem, type PathSegment, type ProblemReason } from '../config/errors.js';
import { displayPath, lineOfKey } from '../config/load.js';
import type { Config } from '../config/types.js';

export interface Finding {
  /** An error stops `run` (exit 3) and fails `config check`; a warning is printed and changes nothing. */
  severity: 'error' | 'warning';
  reason: ProblemReason;
  /** The config key, e.g. ['diagnostics', 'socket']; [] for the file as a whole. */
  key: PathSegment[];
  /** What was expected and what was found. */
  message: string;
  /** Found because of who runs the check (EACCES, EPERM): the service user may be allowed. */
  byUser?: boolean;
}

export const error = (reason: ProblemReason, key: PathSegment[], message: string): Finding => ({ severity: 'error', reason, key, message });
export const warning = (reason: ProblemReason, key: PathSegment[], message: string): Finding => ({ severity: 'warning', reason, key, message });

/** Findings as config problems: the file, the key, its line when the file sets it. */
export function toProblems(findings: readonly Finding[], config: Config): ConfigProblem[] {
  const file = displayPath(config.file);
  return findings.map((f) => {
    const line = f.key.length > 0 ? lineOfKey(config, f.key) : undefined;
    return { file, path: formatPath(f.key), message: f.message, reason: f.reason, ...(line === undefined ? {} : { line }) };
  });
}

/** The errors among `findings` as one ConfigError (CONFIG_ENVIRONMENT), or null when there are none. */
export function environmentError(findings: readonly Finding[], config: Config): ConfigError | null {
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.length === 0 ? null : new ConfigError('CONFIG_ENVIRONMENT', toProblems(errors, config));
}

function deniedCode(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** An error caused by `err`; marked `byUser` when the file system refused this user. */
export const errorFrom = (reason: ProblemReason, key: PathSegment[], message: string, err: unknown): Finding =>
  deniedCode(err) ? { ...error(reason, key, message), byUser: true } : error(reason, key, message);

/** How an errno reads in a message. */
export function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied for this user, uid ${process.getuid?.() ?? '?'} (${code})`;
    case 'EROFS':
      return 'a read-only file system (EROFS)';
    case 'ENOTDIR':
      return 'a path through something that is not a directory (ENOTDIR)';
    case 'EISDIR':
      return 'a directory (EISDIR)';
    default:
      return code ?? String((err as Error | null)?.message ?? err);
  }
}

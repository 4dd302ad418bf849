/**
 * A start that fails after the checks passed (a race, a file system that changed, a port taken
 * in between) still names the key and leaves nothing behind: each step of the start runs as a
 * stage that names its key, and the files and directories the attempt created are removed
 * again. Only what did not exist before the attempt is ever removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatPath, type PathSegment } from '../config/errors.js';
import type { Config } from '../config/types.js';
import { pathUses } from '../preflight/inventory.js';
import { existingAncestor } from '../preflight/paths.js';
import { portErrnoText } from '../preflight/network.js';

/** A step of the start failed: `key` is the config key it depends on. */
export class StartFailure extends Error {
  override readonly name = 'StartFailure';
  constructor(
    readonly key: PathSegment[],
    /** What was expected and what happened instead. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${formatPath(key)}: ${detail}`, options);
  }
}

function causeText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const known = typeof code === 'string' ? portErrnoText(code) : undefined;
  if (known !== undefined && known !== code) return known;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one step of the start; a failure becomes a StartFailure naming `key`, saying what was
 * expected (`expected`) and what happened instead.
 */
export async function stage<T>(key: PathSegment[], expected: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StartFailure) throw err;
    throw new StartFailure(key, `expected ${expected}, got ${causeText(err)}`, { cause: err });
  }
}

/** What a start may create: the database and its side files, and the directories above them and the sockets. */
export interface Footprint {
  /** Removes what this attempt created: files first, then the directories it made, deepest first. */
  undo(): void;
}

export function footprint(config: Config): Footprint {
  const uses = pathUses(config).filter((u) => u.kind === 'database' || u.kind === 'database-side');
  const files = uses.filter((u) => !fs.existsSync(u.file)).map((u) => u.file);
  const dirs = new Set<string>();
  for (const u of pathUses(config).filter((x) => x.access === 'creates')) {
    const top = existingAncestor(u.file);
    for (let d = path.dirname(u.file); d !== top && d.startsWith(top); d = path.dirname(d)) dirs.add(d);
  }
  return {
    undo() {
      for (const f of files) {
        try {
          if (fs.lstatSync(f).isFile()) fs.unlinkSync(f);
        } catch {
          // never made
        }
      }
      for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
        try {
          fs.rmdirSync(d); // only when empty
        } catch {
          // not made, or not empty: left alone
        }
      }
    },
  };
}

/**
 * Path safety: no two keys may name the same file (a socket bound over the database destroyed
 * it, and the next start began `seq` again at 1), no created path may be a directory another
 * lives in, and each path must be of the type the agent will make of it. Nothing here changes
 * anything on disk; what cannot be told without binding (a socket someone answers on) is
 * ./network.ts's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatPath } from '../config/errors.js';
import { error, errnoText, errorFrom, type Finding } from './findings.js';
import { REPORT_NAME, type PathUse } from './inventory.js';

/** sun_path is 108 bytes with its terminating NUL (unix(7)). */
export const MAX_SOCKET_PATH_BYTES = 107;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

function stat(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

export function typeOf(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'something else';
}

/** The nearest ancestor of `file` that exists (the file itself excluded). */
export function existingAncestor(file: string): string {
  let dir = path.dirname(file);
  while (lstat(dir) === null && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Where a path really points: symbolic links resolved as far as the path exists. */
export function canonical(file: string): string {
  if (lstat(file) !== null) {
    try {
      return fs.realpathSync(file);
    } catch {
      return file; // a dangling link: its own name
    }
  }
  const dir = existingAncestor(file);
  let real = dir;
  try {
    real = fs.realpathSync(dir);
  } catch {
    // keep it as written
  }
  return path.join(real, path.relative(dir, file));
}

function label(u: PathUse): string {
  return u.key.length === 0 ? u.what : `${formatPath(u.key)} (${u.what})`;
}

/** Two keys naming one file, a created path that another lives in, a socket beside the reports. */
export function collisionFindings(uses: readonly PathUse[]): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<string>();
  const real = uses.map((u) => canonical(u.file));
  const report = (u: PathUse, message: string): void => {
    const id = `${formatPath(u.key)}\0${message}`;
    if (reported.has(id)) return;
    reported.add(id);
    out.push(error('PATH_COLLISION', u.key, message));
  };
  uses.forEach((u, i) => {
    if (u.access !== 'creates') return;
    uses.forEach((v, j) => {
      if (i === j || formatPath(u.key) === formatPath(v.key)) return;
      const a = real[i] as string;
      const b = real[j] as string;
      if (a === b) {
        // Reported once, on the key that creates the file (the later one when both do).
        if (v.access === 'creates' && j > i) return;
        report(u, `expected a path of its own for ${u.what}, got ${u.file}, which is also ${label(v)}`);
      } else if (b.startsWith(a + path.sep)) {
        report(u, `expected a file path for ${u.what}, got ${u.file}, a directory that ${label(v)} is in`);
      }
    });
  });
  const db = uses.find((u) => u.kind === 'database');
  if (db) {
    const reports = path.dirname(canonical(db.file));
    uses.forEach((u, i) => {
      if (u.kind === 'socket' && path.dirname(real[i] as string) === reports && REPORT_NAME.test(path.basename(u.file))) {
        report(u, `expected a name other than commissioning-*.json|txt for ${u.what}, got ${u.file}: commissioning reports are written under that name beside the database`);
      }
    });
  }
  return out;
}

/** The directory a created file goes in (made when missing) must be one this user can write. */
function directoryFinding(u: PathUse): Finding | null {
  const dir = existingAncestor(u.file);
  const st = stat(dir);
  if (st && !st.isDirectory()) {
    return error('PATH_WRONG_TYPE', u.key, `expected ${dir} to be a directory (${u.what} is created in it), got ${typeOf(st)}`);
  }
  const made = dir === path.dirname(u.file) ? '' : ` (to make ${path.dirname(u.file)})`;
  const expected = `expected a directory this user can create ${u.what} in${made}`;
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    return errorFrom('PATH_NOT_WRITABLE', u.key, `${expected}, got ${dir}: ${errnoText(err)}`, err);
  }
  try {
    // access(2) answers from the mode bits: root passes everywhere, and a file system such as
    // /proc refuses what the bits allow (where Node's recursive mkdir then loops for ever).
    // So a real try: a directory made and removed at once.
    fs.rmdirSync(fs.mkdtempSync(path.join(dir, '.liftwatch-check-')));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    return errorFrom('PATH_NOT_WRITABLE', u.key, `${expected}, got ${dir}, where nothing can be created (${code === 'EROFS' ? 'a read-only file system, EROFS' : code})`, err);
  }
  return null;
}

/**
 * null for an SQLite database (or an empty file, which SQLite makes one), else what it is
 * instead. Read from the 100-byte header (https://sqlite.org/fileformat.html, 1.3) rather than
 * by opening it: a read-only SQLite connection to a WAL database leaves -wal and -shm files.
 */
function notSqlite(file: string, size: number): string | null {
  if (size === 0) return null;
  const head = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n < 16 || !head.subarray(0, 16).equals(SQLITE_HEADER)) return `a file of ${size} bytes that is not one`;
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
  const valid =
    n === 100 &&
    pageSize >= 512 && (pageSize & (pageSize - 1)) === 0 && // a power of two from 512 to 65536
    [1, 2].includes(head[18] as number) && [1, 2].includes(head[19] as number) && // write and read versions
    head[21] === 64 && head[22] === 32 && head[23] === 32; // the payload fractions, fixed by the format
  return valid ? null : 'a damaged SQLite file (its header is not valid)';
}

/** Each created path: the right type if it exists, a writable directory, a socket path short enough. */
export function typeFindings(uses: readonly PathUse[]): Finding[] {
  const out: Finding[] = [];
  for (const u of uses) {
    if (u.access !== 'creates') continue;
    const dirProblem = directoryFinding(u);
    if (dirProblem) {
      if (u.kind !== 'database-side') out.push(dirProblem);
      continue;
    }
    if (u.kind === 'socket') {
      const bytes = Buffer.byteLength(u.file);
      if (bytes > MAX_SOCKET_PATH_BYTES) {
        out.push(error('PATH_TOO_LONG', u.key, `expected a socket path of at most ${MAX_SOCKET_PATH_BYTES} bytes (unix(7) sun_path), got ${bytes} bytes: ${u.file}`));
      }
      const st = lstat(u.file);
      if (st && !st.isSocket()) {
        out.push(error('PATH_WRONG_TYPE', u.key, `expected a path for ${u.what} (nothing there yet, or a socket a stopped liftwatch left), got ${typeOf(st)} at ${u.file}; liftwatch removes only its own stale sockets`));
      }
      continue;
    }
    const st = stat(u.file);
    if (!st) continue;
    if (!st.isFile()) {
      out.push(error('PATH_WRONG_TYPE', u.key, `expected ${u.kind === 'database' ? 'an SQLite database file (or no file yet)' : `${u.what} to be a regular file (or absent)`}, got ${typeOf(st)} at ${u.file}`));
      continue;
    }
    try {
      fs.accessSync(u.file, fs.constants.R_OK | fs.constants.W_OK);
      const wrong = u.kind === 'database' ? notSqlite(u.file, st.size) : null;
      if (wrong !== null) {
        out.push(error('NOT_A_DATABASE', u.key, `expected an SQLite database (or no file yet), got ${u.file}, ${wrong}; liftwatch neither opens nor overwrites it`));
      }
    } catch (err) {
      out.push(errorFrom('PATH_NOT_WRITABLE', u.key, `expected ${u.what} to be readable and writable by this user, got ${u.file}: ${errnoText(err)}`, err));
    }
  }
  return out;
}

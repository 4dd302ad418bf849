/**
 * A real PostgreSQL (Debian's) for the tests of the facility's PostgreSQL store: `initdb` into a
 * temp dir, `postgres` on a free loopback port, stopped at teardown. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` system user (the Debian package creates it) via
 * setpriv, the dir chowned to it. Missing binaries skip the test, or fail it under CI=true
 * (.ci/run installs the package), as for the other Debian tools (tools.ts).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { onPath } from './tools.js';
import { patient } from './patience.js';
import { freePort } from '../uplink-helpers.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Tap = { fail: Function; skip: Function; teardown(f: () => Promise<void> | void): void };

/** The directory holding initdb and postgres: PATH first, else Debian's versioned directory. */
function binDir(): string | null {
  const onP = onPath('initdb');
  if (onP && onPath('postgres')) return path.dirname(onP);
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(base, v, 'bin');
    if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'))) return dir;
  }
  return null;
}

export interface Postgres {
  /** A URL for a fresh database of its own (with the password: the tests' own secret). */
  database(name: string): Promise<string>;
  /** The password in the URLs (to check it never shows). */
  password: string;
  stop(): Promise<void>;
}

/** Starts a PostgreSQL for this test, or returns null after recording a skip (a failure in CI). */
export async function startPostgres(t: Tap): Promise<Postgres | null> {
  const bin = binDir();
  if (bin === null) {
    if (process.env['CI'] === 'true') t.fail('initdb/postgres are required in CI (apt-get install postgresql)');
    else t.skip('initdb/postgres not found (apt-get install postgresql)');
    return null;
  }
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'liftwatch-pg-'));
  const data = path.join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  writeFileSync(path.join(dir, 'pw'), password);
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(path.join(dir, 'pw'), uid, gid);
  }
  // setpriv execs (runuser would stay as a parent and not pass on the signal that stops postgres).
  const as = (cmd: string, args: string[]): [string, string[]] => (root ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]] : [cmd, args]);
  const [ic, ia] = as(path.join(bin, 'initdb'), ['-D', data, '-U', 'liftwatch', `--pwfile=${path.join(dir, 'pw')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  execFileSync(ic, ia, { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  // fsync off: the tests are about instances and claims, not the disk; and this machine is shared.
  const [pc, pa] = as(path.join(bin, 'postgres'), ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60']);
  const child: ChildProcess = spawn(pc, pa, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const admin = `postgres://liftwatch:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + patient(20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${err}`);
    const c = new pg.Client({ connectionString: admin });
    const ok = await c.connect().then(() => true, () => false);
    await c.end().catch(() => undefined);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections on ${port}: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGINT'); // fast shutdown
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  return {
    password,
    stop,
    async database(name: string) {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return `postgres://liftwatch:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
    },
  };
}

// A start that fails after the checks passed (the broker's port taken in between, as by another
// process in a race the checks cannot close) still names the key and leaves nothing behind:
// startStack is called here without the checks, as if the port had been free a moment before.
// The embedded broker used to be bound before the database was opened, and a failing store
// left the port bound until exit; now the database is opened first and a failed start removes
// the database and the directories it made, never a file that was there before.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { loadProfilesForConfig } from '../src/config/profiles.js';
import { startStack } from '../src/cli/stack.js';
import { StartFailure } from '../src/cli/start-guard.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import { baseConfig, holdPort, siteDir, tree } from './helpers/bad-config.js';

const quiet = new ConsoleLogger({ level: 'silent' });

async function attempt(dir: string, port: number): Promise<unknown> {
  const c = baseConfig(dir);
  c.broker = { enabled: true, host: '127.0.0.1', port };
  c.storage.path = path.join(dir, 'state', 'deep', 'lw.db');
  const file = path.join(dir, 'liftwatch.yaml');
  fs.writeFileSync(file, stringify(c));
  const config = parseConfig(fs.readFileSync(file, 'utf8'), file);
  try {
    const stack = await startStack({ config, profiles: loadProfilesForConfig(config), logger: quiet, print: null });
    await stack.stop();
    return null;
  } catch (err) {
    return err;
  }
}

void t.test('the broker port taken after the checks: StartFailure on broker.port, the new database and its directories removed', async (t) => {
  const dir = siteDir();
  const held = await holdPort();
  t.teardown(async () => {
    await held.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const before = tree(dir);
  const err = await attempt(dir, held.port);
  t.type(err, StartFailure);
  t.same((err as StartFailure).key, ['broker', 'port']);
  t.match((err as Error).message, new RegExp(`broker\\.port: expected a port the embedded MQTT broker can listen on at 127\\.0\\.0\\.1, got in use by another process \\(EADDRINUSE\\)`));
  const after = tree(dir);
  delete after['liftwatch.yaml'];
  t.same(after, before, 'no database, no -wal/-shm, no state/deep directories, no socket');
});

void t.test('a database that was there before is kept (the same file, intact)', async (t) => {
  const dir = siteDir();
  const held = await holdPort();
  t.teardown(async () => {
    await held.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // A first, successful start makes the database.
  const free = await holdPort();
  const port = free.port;
  await free.close();
  t.equal(await attempt(dir, port), null, 'a start on a free port works');
  const db = path.join(dir, 'state', 'deep', 'lw.db');
  t.ok(fs.existsSync(db));
  const inode = fs.statSync(db).ino;
  const err = await attempt(dir, held.port);
  t.type(err, StartFailure);
  t.equal(fs.statSync(db).ino, inode, 'the same file: neither removed nor replaced');
  const check = new Database(db, { readonly: true });
  t.equal(check.pragma('quick_check', { simple: true }), 'ok', 'and intact');
  check.close();
  t.notOk(Object.keys(tree(dir)).some((f) => f.endsWith('.sock')), 'no socket left');
});

// Path safety through the real binary: a diagnostics socket configured onto the database (or
// its WAL, or the config file) once passed `config check`, and at start the agent removed the
// database and bound its socket there: after a restart the stored events were gone and `seq`
// began again at 1. Now `config check` and `run` refuse it (exit 3) naming both keys, and not a
// byte of the existing database changes. The one file the agent removes is its own stale socket.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { bin, cli, rig } from './helpers/cli-agent.js';
import { tree } from './helpers/bad-config.js';

void t.test('a socket path onto the database, its WAL or the config file is refused and no byte is lost', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.startAgent();
  const sent = await cli(['test-alarm', '--config', r.configFile, '--lift', 'A']);
  t.equal(sent.code, 0, `a TEST_CALL stored and delivered: ${sent.stderr}`);
  t.equal(await r.stopAgent(), 0);
  const db = path.join(r.dir, 'lw.db');
  const original = fs.readFileSync(r.configFile, 'utf8');
  const before = tree(r.dir);
  t.ok(before['lw.db'], 'the database exists');

  const variants: Array<[string, string, RegExp]> = [
    ['socket on the database', `diagnostics: { socket: ${JSON.stringify(db)} }`, /diagnostics\.socket: expected a path of its own .*which is also storage\.path \(the database\)/],
    ['socket on the WAL', `diagnostics: { socket: ${JSON.stringify(db + '-wal')} }`, /diagnostics\.socket: expected a path of its own .*storage\.path \(the database's write-ahead log/],
    ['read-only socket on the database', `diagnostics: { socket: ${JSON.stringify(path.join(r.dir, 'x.sock'))}, readOnlySocket: ${JSON.stringify(db)} }`, /diagnostics\.readOnlySocket: expected a path of its own .*storage\.path \(the database\)/],
    ['socket on the config file', `diagnostics: { socket: ${JSON.stringify(path.join(r.dir, 'bad.yaml'))} }`, /diagnostics\.socket: expected a path of its own .*the configuration file/],
  ];
  for (const [name, diagnostics, expected] of variants) {
    const file = path.join(r.dir, 'bad.yaml');
    fs.writeFileSync(file, original.replace(/^diagnostics: .*$/m, diagnostics));
    const snapshot = { ...tree(r.dir) };
    const check = await cli(['config', 'check', file]);
    t.equal(check.code, 3, `${name}: config check exits 3`);
    t.match(check.stderr, expected, `${name}: config check names both keys`);
    t.match(check.stderr, /bad\.yaml: /, `${name}: and the file`);
    const run = await cli(['run', '--config', file], { timeoutMs: 20_000 });
    t.equal(run.code, 3, `${name}: run exits 3 (${run.stderr.slice(0, 300)})`);
    t.match(run.stderr, expected, `${name}: run names both keys`);
    t.same(tree(r.dir), snapshot, `${name}: nothing changed on disk, not a byte of the database`);
    fs.rmSync(file);
  }
  t.same(tree(r.dir), before, 'the database is as the agent left it');

  // The agent with its own config finds every stored event: seq goes on after 1.
  await r.startAgent();
  const history = await cli(['history', '--config', r.configFile, '--json']);
  t.equal(history.code, 0, history.stderr);
  t.match(JSON.parse(history.stdout), [{ seq: 1, code: 'TEST_CALL' }], 'the TEST_CALL stored before is still there');
});

void t.test('a regular file at the socket path is never removed; a stale socket is', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  // A file someone keeps at the socket path.
  fs.mkdirSync(path.dirname(r.socket), { recursive: true });
  fs.writeFileSync(r.socket, 'notes of the last visit\n');
  const check = await cli(['config', 'check', r.configFile]);
  t.equal(check.code, 3);
  t.match(check.stderr, /diagnostics\.socket: expected a path for the full-access diagnostics socket \(nothing there yet, or a socket a stopped liftwatch left\), got a regular file/);
  const run = await cli(['run', '--config', r.configFile], { timeoutMs: 20_000 });
  t.equal(run.code, 3);
  t.equal(fs.readFileSync(r.socket, 'utf8'), 'notes of the last visit\n', 'the file is untouched');
  t.notOk(fs.existsSync(path.join(r.dir, 'lw.db')), 'no database was created');
  fs.rmSync(r.socket);

  // A socket left by a killed agent: accepted by config check, replaced by run.
  await r.startAgent();
  r.agent?.kill('SIGKILL');
  await new Promise((res) => r.agent?.once('exit', res));
  r.agent = null;
  t.ok(fs.lstatSync(r.socket).isSocket(), 'the stale socket is there');
  const again = await cli(['config', 'check', r.configFile]);
  t.equal(again.code, 0, again.stderr);
  await r.startAgent();
  t.equal(await r.stopAgent(), 0);
  t.notOk(fs.existsSync(r.socket), 'the clean stop removed it');
});

void t.test('a second agent on a live socket is refused (exit 3); config check only warns', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.startAgent();
  const before = tree(r.dir);
  const check = await cli(['config', 'check', r.configFile]);
  t.equal(check.code, 0, 'config check: the agent this config is for is running');
  t.match(check.stdout, /warning: .*diagnostics\.socket: expected no process answering on .* got one now/);
  const child = spawn(process.execPath, [bin, 'run', '--config', r.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((res) => child.once('exit', res));
  t.equal(code, 3, 'the second run exits 3');
  t.match(stderr, /diagnostics\.socket: expected no process answering on .*another liftwatch agent is serving this socket/);
  const status = await cli(['status', '--config', r.configFile, '--json']);
  t.equal(status.code, 0, 'the first agent still answers');
  t.same(Object.keys(tree(r.dir)).sort(), Object.keys(before).sort(), 'no file added or removed');
});

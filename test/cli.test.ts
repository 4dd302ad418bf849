// The `liftwatch` binary as an installer meets it: bad config stops it before anything starts;
// the demo shows alarms flowing and stops cleanly on Ctrl-C (SIGINT).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { findEvent, freePort, subscribe, waitFor } from './helpers/e2e.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = path.join(root, 'dist/src/cli/main.js');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-cli-'));
}

void t.test('run with a bad config exits 3, names file and path, starts nothing', async (t) => {
  const dir = tmp();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const demo = fs.readFileSync(path.join(root, 'config/demo.yaml'), 'utf8');
  const bad = demo.replace('unitId: 2', 'unitId: 0').replace('./var/liftwatch-demo.db', path.join(dir, 'should-not-exist.db'));
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(file, bad);
  const r = spawnSync(process.execPath, [bin, 'run', '--config', file], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 3, 'exit code 3: configuration error');
  t.match(r.stderr, 'bad.yaml');
  t.match(r.stderr, 'lifts[1].unitId');
  t.match(r.stderr, /1 to 247/);
  t.match(r.stderr, 'nothing was started');
  t.notOk(fs.existsSync(path.join(dir, 'should-not-exist.db')), 'no database created');
});

void t.test('run with a missing config file exits 3 and says which file', async (t) => {
  const r = spawnSync(process.execPath, [bin, 'run', '--config', '/nonexistent/liftwatch.yaml'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 3);
  t.match(r.stderr, '/nonexistent/liftwatch.yaml');
});

void t.test('config check accepts the demo config', async (t) => {
  const r = spawnSync(process.execPath, [bin, 'config', 'check', path.join(root, 'config/demo.yaml')], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /valid/);
});

void t.test('the demo: alarms flow on the terminal and on MQTT; SIGINT stops it cleanly', async (t) => {
  const dir = tmp();
  const brokerPort = await freePort();
  const simPort = await freePort();
  const demo = fs
    .readFileSync(path.join(root, 'config/demo.yaml'), 'utf8')
    .replace(/port: 1883/g, `port: ${brokerPort}`)
    .replace('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${brokerPort}`)
    .replace('port: 5020', `port: ${simPort}`)
    .replace('./var/liftwatch-demo.db', path.join(dir, 'demo.db'));
  const file = path.join(dir, 'demo.yaml');
  fs.writeFileSync(file, demo);
  const child = spawn(process.execPath, [bin, 'demo', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => stdout.includes('liftwatch demo'), 15_000, 'the demo banner');
  const sub = await subscribe(brokerPort, 'liftwatch/#');
  t.teardown(() => sub.close());
  // The demo scenario cuts lift B's mains at ~5 s; confirmed 2 s later (docs/taxonomy.md).
  const ev = await waitFor(() => findEvent(sub.messages, 'MAINS_POWER_FAILURE', 'raised'), 20_000, 'mains alarm on MQTT');
  t.match(ev, { lift: { id: 'B' }, site: { id: 'demo-site' }, schema: 'liftwatch.event/1' });
  await waitFor(() => /RAISED\s+MAJOR\s+MAINS_POWER_FAILURE\s+Lift B/.test(stdout), 5000, 'a readable line on the terminal');
  t.notMatch(stdout, /^\{/m, 'not raw JSON on the terminal');
  child.kill('SIGINT');
  t.equal(await exited, 0, `exit 0 on SIGINT (stderr: ${stderr.slice(-500)})`);
  const offline = sub.messages.find((m) => m.topic.endsWith('/status') && m.payload['state'] === 'offline');
  t.ok(offline, 'offline status published on the way out');
});

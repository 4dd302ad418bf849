/**
 * SIGTERM to the real `liftwatch run` in the middle of activity (alarms raised and
 * cleared, scheduled test calls, health and usage jobs every second): a clean exit within the
 * bound, the offline status published, usage statistics written, the database sound, and
 * nothing lost: every committed event is either delivered or still pending, and a restart
 * delivers the pending rest. With python3 and systemd-notify present it also checks READY=1,
 * WATCHDOG=1 and STOPPING=1 from the real binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import { Simulator } from '../src/sim/simulator.js';
import { onPath } from './helpers/tools.js';
import { AT_REST, subscribe, waitFor, type Msg } from './helpers/e2e.js';
import { fakeNotifySocket, type FakeNotifySocket } from './systemd-notify-socket.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = path.join(root, 'dist/src/cli/main.js');
/** run-command's STOP_TIMEOUT_MS plus process start/exit slack on a loaded machine. */
const EXIT_BOUND_MS = 15_000;

function configYaml(dir: string, simPort: number, brokerPort: number): string {
  const lift = (id: string, unit: number): string =>
    `  - { id: ${id}, label: "Lift ${id}", bus: field, unitId: ${unit}, profile: liftwatch-sim, landings: ["0", "1", "2", "3", "4"], pollIntervalMs: 100 }`;
  return [
    'site: { id: sd-site, name: "Shutdown House" }',
    'gateway: { id: gw1 }',
    'buses:',
    `  - { id: field, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 200, retries: 0, interFrameGapMs: 2 }`,
    'lifts:',
    lift('A', 1),
    lift('B', 2),
    `uplink: { url: "mqtt://127.0.0.1:${brokerPort}", reconnectMinMs: 100, reconnectMaxMs: 500 }`,
    `storage: { path: ${JSON.stringify(path.join(dir, 'liftwatch.db'))} }`,
    'rules:',
    '  MAINS_POWER_FAILURE: { confirmMs: 100, clearMs: 100 }',
    'schedule:',
    '  health: { cron: "* * * * * *" }',
    '  selfTest: { cron: "* * * * * *" }',
    '  usage: { cron: "*/2 * * * * *" }',
    '  maintenance: { cron: "*/3 * * * * *" }',
    '  integrity: { cron: "*/3 * * * * *" }',
    'logging: { level: info }',
    `diagnostics: { socket: ${JSON.stringify(path.join(dir, 'liftwatch.sock'))}, readOnlySocket: false }`,
    '',
  ].join('\n');
}

function start(file: string, env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; exited: Promise<{ code: number | null; at: number }> } {
  const child = spawn(process.execPath, [bin, 'run', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, out: () => out, exited };
}

function eventIds(messages: Msg[]): Set<string> {
  return new Set(messages.filter((m) => m.topic.endsWith('/event')).map((m) => String(m.payload['eventId'])));
}

void t.test('SIGTERM mid-activity: clean exit, offline published, nothing lost', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-sigterm-'));
  const quiet = new ConsoleLogger({ level: 'silent' });
  const broker = new EmbeddedBroker({ port: 0, logger: quiet });
  const brokerPort = (await broker.start()).port;
  const sim = new Simulator({ lifts: [1, 2].map((u) => ({ unitId: u, landings: 5, startFloor: 1 })), scenario: { name: 'idle', autoTrips: false, steps: [] } });
  const simPort = (await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' })).port;
  sim.start();
  for (const u of [1, 2]) sim.lift(u).hold({ ...AT_REST, mainsPower: true });
  const sub = await subscribe(brokerPort, 'liftwatch/#');
  const python = onPath('python3');
  const notify: FakeNotifySocket | null = python && onPath('systemd-notify') ? await fakeNotifySocket(python, dir) : null;
  t.teardown(async () => {
    await sub.close();
    await notify?.stop();
    await sim.stop();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'liftwatch.yaml');
  fs.writeFileSync(file, configYaml(dir, simPort, brokerPort));
  const env: NodeJS.ProcessEnv = { ...process.env, WATCHDOG_USEC: '1000000' };
  delete env['NOTIFY_SOCKET'];
  if (notify) env['NOTIFY_SOCKET'] = notify.path;

  const run = start(file, env);
  t.teardown(() => void run.child.kill('SIGKILL'));
  if (notify) {
    await waitFor(() => notify.messages.some((m) => m.includes('READY=1')), 20_000, `READY=1 (output: ${run.out().slice(-500)})`);
    await waitFor(() => notify.messages.includes('WATCHDOG=1'), 10_000, 'WATCHDOG=1 from the running agent');
    t.pass('READY=1 and WATCHDOG=1 from the real binary');
  }
  await waitFor(() => sub.messages.some((m) => m.topic.endsWith('/status') && m.payload['state'] === 'online'), 20_000, 'online');

  // Activity: mains lost and back on both lifts, while test calls run every second.
  for (let i = 0; i < 3; i++) {
    for (const u of [1, 2]) sim.lift(u).hold({ ...AT_REST, mainsPower: false });
    const raised = (): number => sub.messages.filter((m) => m.payload['code'] === 'MAINS_POWER_FAILURE' && m.payload['lifecycle'] === 'raised').length;
    await waitFor(() => raised() >= 2 * (i + 1), 10_000, `mains failure ${i + 1} raised (events: ${sub.messages.filter((m) => m.topic.endsWith('/event')).map((m) => `${String(m.payload['code'])}:${String(m.payload['lifecycle'])}`).join(' ')}) log: ${run.out().slice(-3000)}`);
    for (const u of [1, 2]) sim.lift(u).hold({ ...AT_REST, mainsPower: true });
    await new Promise((r) => setTimeout(r, 250));
  }
  await waitFor(() => sub.messages.some((m) => m.payload['code'] === 'TEST_CALL'), 10_000, 'a scheduled TEST_CALL');
  await waitFor(() => sub.messages.some((m) => m.topic.endsWith('/usage')), 10_000, 'a usage message');
  // Mid-activity: a mains failure is being confirmed while the signal arrives.
  for (const u of [1, 2]) sim.lift(u).hold({ ...AT_REST, mainsPower: false });
  const sentAt = Date.now();
  run.child.kill('SIGTERM');
  const { code, at } = await run.exited;
  t.equal(code, 0, `exit 0 (output: ${run.out().slice(-800)})`);
  t.ok(at - sentAt < EXIT_BOUND_MS, `exited within the bound (${at - sentAt} ms)`);
  if (notify) await waitFor(() => notify.messages.some((m) => m.includes('STOPPING=1')), 5000, 'STOPPING=1');
  await waitFor(() => sub.messages.some((m) => m.topic.endsWith('/status') && m.payload['state'] === 'offline'), 5000, 'offline published at stop');
  t.match(run.out(), /"msg":"agent stopped"/, 'JSON log lines on stdout (not a terminal)');

  // The database after the stop: sound, usage written, nothing delivered that was not received.
  const db = new Database(path.join(dir, 'liftwatch.db'), { readonly: true });
  t.same(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check ok');
  const rows = db.prepare('SELECT event_id AS id, delivered_at AS d FROM events').all() as Array<{ id: string; d: number | null }>;
  const usage = db.prepare('SELECT SUM(trips) AS n, COUNT(*) AS c FROM usage_daily').get() as { c: number };
  db.close();
  t.ok(rows.length >= 6, `events committed (${rows.length})`);
  t.ok(usage.c >= 2, 'usage rows for both lifts');
  const received = eventIds(sub.messages);
  const wrongly = rows.filter((r) => r.d !== null && !received.has(r.id));
  t.same(wrongly, [], 'every event marked delivered was received');
  const pending = rows.filter((r) => r.d === null).map((r) => r.id);
  t.comment(`${rows.length} events committed, ${pending.length} pending at stop`);

  // Restart: the pending rest is delivered.
  const onlines = (): number => sub.messages.filter((m) => m.topic.endsWith('/status') && m.payload['state'] === 'online').length;
  const before = onlines();
  const again = start(file, env);
  t.teardown(() => void again.child.kill('SIGKILL'));
  await waitFor(() => onlines() > before, 20_000, 'the second run online');
  await waitFor(() => rows.every((r) => eventIds(sub.messages).has(r.id)), 20_000, 'every committed event received after the restart');
  again.child.kill('SIGTERM');
  t.equal((await again.exited).code, 0, 'second run exits 0 too');
});

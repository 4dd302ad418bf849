/**
 * sd_notify through systemd-notify to a fake NOTIFY_SOCKET; the watchdog feeds
 * WATCHDOG=1 only while every check passes and withholds it while one fails.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SdNotify, watchdogIntervalMs } from '../src/platform/sd-notify.js';
import { Watchdog } from '../src/agent/watchdog.js';
import { SystemClock } from '../src/platform/system-clock.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import type { HealthCheck } from '../src/agent/health-checks.js';
import { needTool } from './helpers/tools.js';
import { waitFor } from './helpers/e2e.js';
import { fakeNotifySocket } from './systemd-notify-socket.js';

const quiet = new ConsoleLogger({ level: 'silent' });

void t.test('watchdogIntervalMs reads WATCHDOG_USEC and honours WATCHDOG_PID', async (t) => {
  t.equal(watchdogIntervalMs({}), null);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 30_000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, 2), null, 'meant for another process');
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }), null);
});

void t.test('without NOTIFY_SOCKET nothing is sent and nothing fails', async (t) => {
  const n = new SdNotify({ env: {} });
  t.equal(n.enabled, false);
  await n.notify({ READY: '1' });
  t.same(n.counts, { sent: 0, failed: 0 });
});

void t.test('READY and WATCHDOG reach the socket; WATCHDOG is withheld while a check fails', async (t) => {
  if (!needTool(t, 'systemd-notify', 'systemd')) return;
  const python = needTool(t, 'python3', 'python3');
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-notify-'));
  const sock = await fakeNotifySocket(python, dir);
  t.teardown(async () => {
    await sock.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const errors: Error[] = [];
  const notifier = new SdNotify({ env: { ...process.env, NOTIFY_SOCKET: sock.path }, pid: 4242, onError: (e) => errors.push(e) });
  t.equal(notifier.enabled, true);
  await notifier.notify({ READY: '1', STATUS: 'started' });
  await waitFor(() => sock.messages.some((m) => m.includes('READY=1')), 5000, 'READY=1');
  t.match(sock.messages.find((m) => m.includes('READY=1')), /MAINPID=4242/, 'READY carries MAINPID');

  let healthy = true;
  const check: HealthCheck = { name: 'fake', run: () => ({ name: 'fake', ok: healthy, detail: healthy ? 'fine' : 'broken' }) };
  const wd = new Watchdog({ notifier, checks: [check], clock: new SystemClock(), logger: quiet, intervalMs: 60_000 });

  t.equal(wd.tick(), true, 'fed while healthy');
  await notifier.idle();
  await waitFor(() => sock.messages.some((m) => m === 'WATCHDOG=1'), 5000, 'WATCHDOG=1');
  const fedBefore = sock.messages.filter((m) => m === 'WATCHDOG=1').length;

  healthy = false;
  for (let i = 0; i < 3; i++) t.equal(wd.tick(), false, 'withheld while failing');
  await notifier.idle();
  await notifier.notify({ STATUS: 'sentinel' });
  await waitFor(() => sock.messages.some((m) => m.includes('STATUS=sentinel')), 5000, 'sentinel');
  t.equal(sock.messages.filter((m) => m === 'WATCHDOG=1').length, fedBefore, 'no WATCHDOG=1 while the check fails');
  t.ok(sock.messages.some((m) => /STATUS=unhealthy: fake \(broken\)/.test(m)), 'STATUS names the failing check');

  healthy = true;
  t.equal(wd.tick(), true, 'fed again once healthy');
  await notifier.idle();
  await waitFor(() => sock.messages.filter((m) => m === 'WATCHDOG=1').length === fedBefore + 1, 5000, 'WATCHDOG=1 again');
  t.same(wd.counts, { fed: 2, withheld: 3 });
  t.same(errors, []);
});

void t.test('a check that throws counts as failing', async (t) => {
  const sent: Array<Record<string, string>> = [];
  const notifier = { enabled: true, notify: async (f: Record<string, string>) => void sent.push(f) };
  const wd = new Watchdog({
    notifier,
    checks: [{ name: 'boom', run: () => { throw new Error('bad'); } }],
    clock: new SystemClock(),
    logger: quiet,
    intervalMs: 1000,
  });
  t.equal(wd.tick(), false);
  t.notOk(sent.some((f) => f['WATCHDOG']), 'not fed');
});

void t.test('the watchdog ticks on its own at half the interval', async (t) => {
  const sent: Array<Record<string, string>> = [];
  const notifier = { enabled: true, notify: async (f: Record<string, string>) => void sent.push(f) };
  const wd = new Watchdog({ notifier, checks: [], clock: new SystemClock(), logger: quiet, intervalMs: 200 });
  wd.start();
  await waitFor(() => sent.filter((f) => f['WATCHDOG'] === '1').length >= 2, 5000, 'two pings');
  wd.stop();
  t.pass('pinged');
});

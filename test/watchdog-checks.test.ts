/**
 * The health checks that gate the systemd watchdog, each failing for the fault a
 * restart can cure and passing otherwise; all on the monotonic clock.
 */
import t from 'tap';
import { busesPolledCheck, eventLoopCheck, storeWritableCheck, uplinkFreshCheck } from '../src/agent/health-checks.js';

void t.test('event loop: fails when the watchdog timer fires too late', async (t) => {
  const c = eventLoopCheck(5000);
  t.equal(c.run(0, 100).ok, true);
  t.equal(c.run(0, 5001).ok, false);
  t.match(c.run(0, 6000).detail, /6000 ms late/);
});

void t.test('buses polled: a bus without a poll result for too long fails, counted from the start before its first', async (t) => {
  const last = new Map<string, number | null>([['rs485', 1000], ['tcp', null]]);
  const c = busesPolledCheck(() => last, 60_000, () => 0);
  t.equal(c.run(30_000, 0).ok, true, 'both within the limit');
  const r = c.run(61_500, 0);
  t.equal(r.ok, false, 'tcp never polled in 61.5 s; rs485 last at 1 s is 60.5 s ago');
  t.match(r.detail, /rs485 61 s|rs485 60 s/);
  t.match(r.detail, /tcp 62 s|tcp 61 s/);
  last.set('rs485', 61_000);
  last.set('tcp', 61_000);
  t.equal(c.run(61_500, 0).ok, true, 'healthy again once results arrive (failed polls count: the loop is alive)');
});

void t.test('store writable: a throwing probe fails with its message', async (t) => {
  let fail = false;
  const c = storeWritableCheck(() => {
    if (fail) throw new Error('SQLITE_READONLY: attempt to write a readonly database');
  });
  t.equal(c.run(0, 0).ok, true);
  fail = true;
  const r = c.run(0, 0);
  t.equal(r.ok, false);
  t.match(r.detail, /SQLITE_READONLY/);
});

void t.test('uplink fresh: connected, or reconnecting with recent attempts; an uplink that stopped trying fails', async (t) => {
  const s = { connected: true, connectAttempts: 1 };
  const c = uplinkFreshCheck(() => s, 120_000);
  t.equal(c.run(0, 0).ok, true, 'connected');
  s.connected = false;
  t.equal(c.run(100_000, 0).ok, true, 'disconnected, within the limit since the last change');
  s.connectAttempts = 2;
  t.equal(c.run(200_000, 0).ok, true, 'a new attempt: fresh');
  t.equal(c.run(310_000, 0).ok, true, '110 s without an attempt: within 120 s');
  const r = c.run(330_000, 0);
  t.equal(r.ok, false, '130 s without an attempt: the client stopped trying (a failure seen in peer gateways)');
  t.match(r.detail, /last attempt 130 s ago/);
  s.connected = true;
  t.equal(c.run(340_000, 0).ok, true, 'connected again');
});

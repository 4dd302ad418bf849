/**
 * Catch-up after an outage through the real parts (SQLite outbox -> dispatcher -> mqtt.js ->
 * aedes -> subscriber): the backlog drains at about uplink.backlogRatePerSec, so a reconnect
 * does not flood the broker, and a live critical alarm overtakes the backlog (a catch-up after
 * an outage must send live alarms first and pace the backlog, which none of the gateways
 * compared in docs/taxonomy.md does).
 */
import t from 'tap';
import { join } from 'node:path';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { alarmEvent, captureLogger, freePort, sleep, subscriber, tempDir, testGateway, waitFor } from './uplink-helpers.js';

const EVENTS = 'liftwatch/+/+/lift/+/event';

void t.test('a backlog of 150 at 100/s takes at least ~1.4 s; a live critical alarm overtakes it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const port = await freePort();
  const rate = 100;
  const gw = testGateway({ port, file: join(dir, 'o.db'), logger: captureLogger(), uplink: { backlogRatePerSec: rate, inflight: 50 } });
  t.teardown(() => gw.stop());
  gw.start();
  const lifts = ['L1', 'L2', 'L3'];
  const backlog = gw.append(Array.from({ length: 150 }, (_, i) => alarmEvent({ liftId: lifts[i % 3] as string, severity: 'major', code: 'DOOR_CLOSE_FAULT' })));
  await sleep(100);
  t.notOk(gw.uplink.connected, 'no broker yet: a backlog');

  // The subscriber is in place before the gateway is admitted.
  let open = false;
  const broker = new EmbeddedBroker({ port, logger: captureLogger(), admit: (c) => open || c.clientId.startsWith('sub-') });
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await subscriber(port, EVENTS);
  t.teardown(() => sub.close());
  const arrivedAt: number[] = [];
  sub.client.on('message', () => arrivedAt.push(Date.now()));
  const admittedAt = Date.now(); // the gateway cannot connect, so cannot start the drain, before this
  open = true;

  await waitFor(() => sub.got.length >= 20, 10_000, 'the drain under way');
  const [live] = gw.append([alarmEvent({ liftId: 'L2', severity: 'critical' })]);
  await waitFor(() => new Set(sub.got.map((m) => m.json['eventId'])).size >= 151, 20_000, 'everything delivered');

  const ids = sub.got.map((m) => m.json['eventId']);
  const liveAt = ids.indexOf(live?.eventId);
  const lastBacklogAt = Math.max(...backlog.map((e) => ids.indexOf(e.eventId)));
  t.ok(backlog.every((e) => ids.includes(e.eventId)), 'every backlog event delivered');
  t.ok(liveAt >= 0 && liveAt < lastBacklogAt, `the live critical (position ${liveAt}) arrived before the end of the backlog (${lastBacklogAt})`);
  t.equal(sub.got[liveAt]?.json['historical'], false, 'live: historical false');
  t.ok(
    sub.got.filter((m) => m.json['eventId'] !== live?.eventId).every((m) => m.json['historical'] === true),
    'backlog: historical true',
  );

  // A token bucket of `rate`/s with a burst of rate/10 cannot send 150 in less than
  // (150 - 10) / rate = 1.4 s after the connect; the margin is for timer granularity only.
  const drainMs = (arrivedAt[lastBacklogAt] ?? 0) - admittedAt;
  t.comment(`backlog of 150 drained ${drainMs} ms after the broker admitted the gateway, at ${rate}/s; ${gw.dispatcher.stats.backlogSent} backlog, ${gw.dispatcher.stats.liveSent} live publishes`);
  t.ok(drainMs >= 1300, `paced: ${drainMs} ms >= 1300 ms`);
  t.ok(drainMs < 15_000, 'but it does drain');
  await waitFor(() => gw.outbox.stats().pending === 0, 5000, 'all recorded as delivered');
});

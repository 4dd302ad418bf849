/**
 * The storage limit reached during an outage, through the real parts: SQLite outbox at 1 MiB ->
 * dispatcher -> mqtt.js -> aedes -> subscriber. Eviction goes info, minor, then major, never a
 * critical alarm while anything lower remains, and the receiver is told with data_gap events
 * (other gateways' disks grew without bound in long outages, thingsboard-gateway #2094).
 */
import t from 'tap';
import { join } from 'node:path';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import type { Severity } from '../src/core/types.js';
import type { StoredEvent } from '../src/ports/outbox.js';
import { alarmEvent, captureLogger, freePort, ROOT, sleep, subscriber, tempDir, testGateway, waitFor } from './uplink-helpers.js';

const MiB = 1024 * 1024;
const CODE = { critical: 'STOPPED_BETWEEN_FLOORS', major: 'DOOR_CLOSE_FAULT', minor: 'OVERLOAD', info: 'INSPECTION_MODE' } as const;

void t.test('outage past maxBytes: lowest priority evicted first, data_gap delivered, every critical delivered', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const port = await freePort();
  const gw = testGateway({ port, file: join(dir, 'o.db'), logger: captureLogger(), limits: { maxBytes: MiB }, uplink: { inflight: 50 } });
  t.teardown(() => gw.stop());
  gw.start();

  // 1 critical, 2 major, 3 minor, 4 info in every 10; ~1 kB each: about 3 MiB in all.
  const mix: Severity[] = ['critical', 'major', 'major', 'minor', 'minor', 'minor', 'info', 'info', 'info', 'info'];
  const stored: StoredEvent[] = [];
  for (let i = 0; i < 3000; i += 30) {
    const batch = Array.from({ length: 30 }, (_, k) => mix[k % 10] as Severity);
    stored.push(
      ...gw.append(
        batch.map((severity, k) =>
          alarmEvent({ severity, code: CODE[severity], liftId: `L${1 + ((i + k) % 3)}`, alarmId: `${severity}-${k % 10}`, detail: 'x'.repeat(400) }),
        ),
      ),
    );
  }
  await sleep(50);
  t.notOk(gw.uplink.connected);
  const st = gw.outbox.stats();
  t.ok(st.evictions > 0, `evictions during the outage: ${st.evictions}`);
  t.equal(st.pendingByPriority.critical, 300, 'no critical evicted');
  t.ok(st.pendingByPriority.info < 1200 && st.pendingByPriority.minor <= 900, 'info and minor were evicted');
  t.ok(st.fileBytes < 1.25 * MiB, `file bounded: ${st.fileBytes} bytes`);

  let open = false;
  const broker = new EmbeddedBroker({ port, logger: captureLogger(), admit: (c) => open || c.clientId.startsWith('sub-') });
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await subscriber(port, `${ROOT}/#`);
  t.teardown(() => sub.close());
  open = true;
  await waitFor(() => gw.outbox.stats().pending === 0, 20_000, 'outbox drained');
  const events = () => sub.got.filter((m) => m.topic.endsWith('/event'));
  const gapsOf = () => sub.got.filter((m) => m.topic === `${ROOT}/data_gap`);
  await waitFor(() => new Set(events().map((m) => m.json['eventId'])).size + st.evictions >= stored.length && gapsOf().length >= st.dataGaps, 5000, 'subscriber caught up');

  const gaps = gapsOf();
  t.equal(gaps.length, st.dataGaps, 'one data_gap message per eviction pass');
  t.same(Object.keys(gaps[0]?.json ?? {}).sort(), ['at', 'count', 'eventId', 'from', 'gatewayId', 'historical', 'priorities', 'schema', 'seq', 'site', 'to'].sort());
  t.match(gaps[0]?.json, { schema: 'liftwatch.data_gap/1', gatewayId: 'gw1', site: { id: 'site1', name: 'Site One' }, historical: true });
  t.equal(gaps[0]?.retain, false, 'not retained');
  t.equal(
    gaps.reduce((n, g) => n + (g.json['count'] as number), 0),
    st.evictions,
    'the data_gap counts add up to the evictions',
  );
  const evictedBy: Record<string, number> = {};
  for (const g of gaps) for (const [p, n] of Object.entries(g.json['priorities'] as Record<string, number>)) evictedBy[p] = (evictedBy[p] ?? 0) + n;
  t.notOk('critical' in evictedBy, 'no critical evicted');
  t.comment(`evicted by priority ${JSON.stringify(evictedBy)} of ${stored.length}; ${gaps.length} data_gap events`);

  const got = new Set(events().map((m) => m.json['eventId']));
  const missing = stored.filter((e) => !got.has(e.eventId));
  t.equal(missing.length, st.evictions, 'every event not evicted was delivered');
  t.ok(stored.filter((e) => e.priority === 0).every((e) => got.has(e.eventId)), 'every critical delivered');
  // Oldest first within a priority: what was evicted of a priority is older than what was kept.
  for (const p of [1, 2, 3]) {
    const kept = stored.filter((e) => e.priority === p && got.has(e.eventId)).map((e) => e.seq);
    const lost = stored.filter((e) => e.priority === p && !got.has(e.eventId)).map((e) => e.seq);
    if (kept.length && lost.length) t.ok(Math.max(...lost) < Math.min(...kept), `priority ${p}: the oldest went first`);
  }
  const within = (g: (typeof gaps)[number]): boolean => {
    const from = Date.parse(g.json['from'] as string);
    const to = Date.parse(g.json['to'] as string);
    return from <= to && from >= (stored[0]?.createdAt ?? 0) && to <= (stored.at(-1)?.createdAt ?? 0);
  };
  t.ok(gaps.every(within), 'every data_gap from..to lies within the outage');
});

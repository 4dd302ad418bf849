/**
 * Bounded disk (other gateways' stores grew without bound in long outages: thingsboard-gateway
 * #2094 grew to 45 GB, kura #2181 and #4234 never shrank): pruning, eviction order, the data_gap event, the file size, and the
 * migration of a file made before these rules.
 */
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { DATA_GAP_SCHEMA } from '../src/store/data-gap.js';
import type { AlarmEvent, Severity } from '../src/core/types.js';
import type { StoredEvent } from '../src/ports/outbox.js';
import { alarmEvent, tempDir } from './uplink-helpers.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

const MiB = 1024 * 1024;
const GAP = { topic: 'liftwatch/site1/gw1/data_gap', gatewayId: 'gw1', site: { id: 'site1', name: 'Site One' } };
const CODE: Record<Severity, AlarmEvent['code']> = { critical: 'PASSENGER_TRAPPED', major: 'DOOR_CLOSE_FAULT', minor: 'OVERLOAD', info: 'INSPECTION_MODE' };

/** About 1 kB per row, like a real event payload with evidence. */
function item(severity: Severity, n: number, liftId = 'L1') {
  const event = alarmEvent({ severity, code: CODE[severity], alarmId: `${severity}-${n % 20}`, liftId });
  return { event, topic: `liftwatch/site1/gw1/lift/${liftId}/event`, payload: { schema: 'liftwatch.event/1', severity, n, pad: 'x'.repeat(900) } };
}

const gaps = (ob: SqliteOutbox): StoredEvent[] => ob.pending(100_000).filter((e) => e.payload['schema'] === DATA_GAP_SCHEMA);

void t.test('over maxBytes: delivered pruned first, then info, minor, major; critical untouched; one data_gap', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'o.db');
  let wall = Date.UTC(2026, 0, 1);
  const clock = { now: () => ({ mono: 0, wall }), setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined };
  let ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, clock, dataGap: GAP }); // default limits: nothing evicted
  const delivered = ob.append(Array.from({ length: 200 }, (_, i) => item('critical', i)));
  ob.markDelivered(delivered.map((e) => e.seq), wall);
  const bySeverity = new Map<Severity, StoredEvent[]>();
  const order = ['info', 'minor', 'major', 'critical'] as const;
  for (let i = 0; i < 400; i += 10) {
    wall += 1000; // ten rounds of four per commit: fewer fsyncs, same eviction order
    const rows = ob.append(Array.from({ length: 40 }, (_, k) => item(order[k % 4] as Severity, i + Math.floor(k / 4))));
    rows.forEach((r, k) => {
      const s = order[k % 4] as Severity;
      bySeverity.set(s, [...(bySeverity.get(s) ?? []), r]);
    });
  }
  t.equal(ob.stats().evictions, 0);
  t.ok(ob.stats().fileBytes > 2 * MiB, `store is big: ${ob.stats().fileBytes} bytes`);
  ob.close();

  wall += 1000;
  ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, clock, dataGap: GAP, limits: { maxBytes: MiB } }); // the limit applies at open
  t.teardown(() => ob.close());
  const st = ob.stats();
  t.equal(st.delivered, 0, 'every delivered event pruned before any eviction');
  t.same(
    { info: st.pendingByPriority.info, minor: st.pendingByPriority.minor },
    { info: 0, minor: 0 },
    'info and minor evicted entirely before any major',
  );
  t.ok(st.pendingByPriority.major > 0 && st.pendingByPriority.major < 400, `major partly evicted (${st.pendingByPriority.major} left)`);
  t.equal(st.pendingByPriority.critical, 400, 'no critical event evicted');
  const evictedMajors = 400 - st.pendingByPriority.major;
  const remainingMajors = ob.pending(10_000).filter((e) => e.priority === 1).map((e) => e.seq);
  t.same(remainingMajors, (bySeverity.get('major') ?? []).slice(evictedMajors).map((e) => e.seq), 'majors evicted oldest first');

  const [gap, ...more] = gaps(ob);
  t.equal(more.length, 0, 'one data_gap for the pass');
  t.equal(st.evictions, 800 + evictedMajors);
  t.equal(st.dataGaps, 1);
  t.equal(st.lastEvictionAt, wall);
  t.match(gap, { topic: GAP.topic, priority: 0, liftId: '', alarmId: '' });
  t.match(gap?.payload, {
    schema: 'liftwatch.data_gap/1',
    eventId: gap?.eventId,
    seq: gap?.seq,
    gatewayId: 'gw1',
    site: GAP.site,
    from: new Date((bySeverity.get('info') ?? [])[0]?.createdAt ?? 0).toISOString(),
    to: new Date((bySeverity.get('info') ?? [])[399]?.createdAt ?? 0).toISOString(), // the newest evicted
    count: 800 + evictedMajors,
    priorities: { info: 400, minor: 400, major: evictedMajors },
    at: new Date(wall).toISOString(),
  });
  t.notOk('critical' in (gap?.payload['priorities'] as object), 'only evicted priorities are listed');
  const sendOrder = ob.pending(10_000).map((e) => e.seq);
  const firstMajor = sendOrder.findIndex((seq) => seq === remainingMajors[0]);
  t.ok(sendOrder.indexOf(gap?.seq ?? -1) < firstMajor, 'data_gap goes out at the top priority, with the criticals, before any major');
  t.ok(st.fileBytes < 1.5 * MiB, `file shrank: ${st.fileBytes} bytes`);
});

void t.test('a long outage at the limit: file stays bounded, data_gap rows are never evicted, every eviction counted', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const ob = SqliteOutbox.open(join(dir, 'o.db'), { ...SYSTEM_PORTS, dataGap: GAP, limits: { maxBytes: MiB } });
  t.teardown(() => ob.close());
  let maxFile = 0;
  const severities: Severity[] = ['critical', 'major', 'major', 'minor', 'minor', 'info', 'info', 'info', 'info', 'info'];
  for (let i = 0; i < 3000; i += 25) {
    ob.append(Array.from({ length: 25 }, (_, k) => item(severities[(i + k) % severities.length] as Severity, i + k, `L${k % 3}`)));
    if (i % 100 === 0) maxFile = Math.max(maxFile, ob.stats().fileBytes);
  }
  const st = ob.stats();
  t.comment(`3000 events into 1 MiB: file max ${maxFile} bytes, ${st.evictions} evicted, ${st.dataGaps} data_gap events`);
  t.ok(maxFile <= 1.1 * MiB, `file (db + WAL) stayed within maxBytes + 10 %: max ${maxFile}`);
  const g = gaps(ob);
  t.equal(g.length, st.dataGaps, 'every data_gap still pending: never evicted');
  t.equal(
    g.reduce((n, e) => n + (e.payload['count'] as number), 0),
    st.evictions,
    'the data_gap counts add up to the evictions',
  );
  t.equal(st.pending + st.evictions, 3000 + st.dataGaps, 'every event is pending or announced as evicted');
  const db = new Database(join(dir, 'o.db'), { readonly: true });
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

void t.test('maxAgeDays prunes delivered events only; undelivered ones wait for delivery', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  let wall = Date.UTC(2026, 0, 1);
  const clock = { now: () => ({ mono: 0, wall }), setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined };
  const ob = SqliteOutbox.open(join(dir, 'o.db'), { ...SYSTEM_PORTS, clock, dataGap: GAP, limits: { maxAgeDays: 2 } });
  t.teardown(() => ob.close());
  const old = ob.append([item('info', 1), item('info', 2), item('minor', 3)]);
  ob.markDelivered([old[0]!.seq, old[1]!.seq], wall);
  wall += 3 * 86_400_000;
  const report = ob.maintain();
  t.same(report, { pruned: 2, evicted: 0, gap: null });
  t.same(ob.pending(10).map((e) => e.seq), [old[2]!.seq], 'the undelivered old event is kept');
  t.match(ob.stats(), { delivered: 0, pending: 1, evictions: 0 });
  // Pruning by age also runs by itself on append, at most hourly.
  const fresh = ob.append([item('info', 4)]);
  ob.markDelivered([fresh[0]!.seq], wall);
  wall += 3 * 86_400_000;
  ob.append([item('info', 5)]);
  t.equal(ob.stats().delivered, 0, 'pruned during append');
});

void t.test('append is one transaction: a failure leaves neither events nor alarm state behind', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const ob = SqliteOutbox.open(join(dir, 'o.db'), SYSTEM_PORTS);
  t.teardown(() => ob.close());
  const raised = alarmEvent({ alarmId: 'keep' });
  ob.append([{ event: raised, topic: 't', payload: {} }]);
  const before = { seq: ob.lastSeq(), stats: ob.stats(), active: ob.activeAlarms() };
  const bad = { event: alarmEvent({ alarmId: 'keep', lifecycle: 'cleared' }), topic: 't', payload: { n: 1n } as Record<string, unknown> };
  t.throws(() => ob.append([{ event: alarmEvent({ alarmId: 'new' }), topic: 't', payload: {} }, bad]), 'BigInt cannot be serialized');
  t.same(ob.activeAlarms(), before.active, 'the alarm table is unchanged (no "new", "keep" still active)');
  t.equal(ob.stats().pending, before.stats.pending, 'no event row left behind');
  const [next] = ob.append([{ event: alarmEvent(), topic: 't', payload: {} }]);
  t.ok(next && next.seq > before.seq, 'seq still increases');
});

void t.test('a file made before the disk was bounded is migrated: schema v2, auto_vacuum INCREMENTAL, rows kept', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'v1.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  db.prepare(
    `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, payload, created_at)
     VALUES ('e1', 'L1', 'a1', 'OVERLOAD', 'raised', 2, 't', '{"seq":1}', 1)`,
  ).run();
  t.equal(db.pragma('auto_vacuum', { simple: true }), 0, 'the old file has no auto_vacuum');
  db.close();
  const ob = SqliteOutbox.open(file, SYSTEM_PORTS);
  t.same(ob.pending(10).map((e) => e.eventId), ['e1']);
  t.equal(ob.lastSeq(), 1);
  ob.close();
  const check = new Database(file, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length);
  t.equal(check.pragma('auto_vacuum', { simple: true }), 2, 'converted by one VACUUM');
  t.equal(check.prepare('SELECT kind FROM events').pluck().get(), 'alarm');
  t.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});

void t.test('delivered rows interleaved with pending ones: only delivered pruned, oldest first, by seq range', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'o.db');
  let ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, dataGap: GAP });
  const pendingSeqs: number[] = [];
  const deliveredSeqs: number[] = [];
  for (let block = 0; block < 60; block++) {
    // Blocks of 20 rows (about 5 pages): pruning a delivered block frees whole pages.
    const rows = ob.append(Array.from({ length: 20 }, (_, k) => item('info', block * 20 + k)));
    if (block % 2 === 0) {
      ob.markDelivered(rows.map((r) => r.seq), Date.UTC(2026, 0, 1));
      deliveredSeqs.push(...rows.map((r) => r.seq));
    } else pendingSeqs.push(...rows.map((r) => r.seq));
  }
  ob.close();
  const probe = new Database(file, { readonly: true });
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  const used = ((probe.pragma('page_count', { simple: true }) as number) - (probe.pragma('freelist_count', { simple: true }) as number)) * pageSize;
  probe.close();
  // The data gets maxBytes minus the WAL's share (32 pages at this size, sqlite-outbox.ts walPages);
  // a pass then frees down to 90 % of that (12 % of the rows: about a quarter of the delivered).
  ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, dataGap: GAP, limits: { maxBytes: Math.floor(used * 0.98) + 32 * pageSize } });
  t.teardown(() => ob.close());
  const st = ob.stats();
  t.equal(st.evictions, 0, 'pruning delivered rows was enough: nothing pending evicted');
  t.ok(st.delivered > 0 && st.delivered < deliveredSeqs.length, `delivered partly pruned (${st.delivered} left)`);
  t.same(ob.pending(10_000).map((e) => e.seq), pendingSeqs, 'every pending row kept, the ones between pruned blocks too');
  const db = new Database(file, { readonly: true });
  const left = db.prepare('SELECT seq FROM events WHERE delivered_at IS NOT NULL ORDER BY seq').pluck().all();
  db.close();
  t.same(left, deliveredSeqs.slice(deliveredSeqs.length - st.delivered), 'the newest delivered rows are the ones kept');
});

/**
 * Schema v3 (the drain benchmark): the payload moved from `events.payload` to its own table
 * `payloads`. A file made by the v2 schema is migrated on open with every payload intact, and
 * the trigger keeps the two tables in step on every delete.
 */
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { StoreReader } from '../src/diagnostics/store-reader.js';
import { alarmEvent, tempDir } from './uplink-helpers.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

const DAY_MS = 86_400_000;

/** A v2 file as the old schema made it: v1 + v2 SQL from MIGRATIONS, two alarm rows and a data_gap row. */
function v2File(file: string, now: number): { p1: string; p2: string } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS[0] as string);
  db.exec(MIGRATIONS[1] as string);
  db.pragma('user_version = 2');
  const p1 = JSON.stringify({ schema: 1, eventId: 'e1', seq: 1, code: 'OVERLOAD', lifecycle: 'raised', severity: 'major', lift: { id: 'L1' } });
  const p2 = JSON.stringify({ schema: 1, eventId: 'e2', seq: 2, code: 'DOOR', lifecycle: 'raised', severity: 'minor', lift: { id: 'L2' } });
  const ins = db.prepare(
    `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, payload, created_at, delivered_at, kind)
     VALUES (?, ?, ?, ?, 'raised', ?, 't', ?, ?, ?, ?)`,
  );
  ins.run('e1', 'L1', 'a1', 'OVERLOAD', 1, p1, now, null, 'alarm');
  // Delivered long ago: the age limit prunes it on open.
  ins.run('e2', 'L2', 'a2', 'DOOR', 2, p2, now - 200 * DAY_MS, now - 200 * DAY_MS, 'alarm');
  ins.run('g3', '', '', 'DATA_GAP', 0, JSON.stringify({ eventId: 'g3', seq: 3, count: 7 }), now, null, 'data_gap');
  db.close();
  return { p1, p2 };
}

void t.test('a v2 file is migrated to v3: payloads intact, column dropped, pending and markDelivered work', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'v2.db');
  const now = Date.now();
  const { p1, p2 } = v2File(file, now);

  // A technician's read-only look before the agent migrated: the old layout is still read.
  const before = new StoreReader(file).open();
  t.same(before.history({ since: 0, limit: 10 }).map((r) => [r.seq, r.code]), [[1, 'OVERLOAD'], [2, 'DOOR']]);
  before.close();

  const ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, limits: { maxAgeDays: 90 } });
  const pending = ob.pending(10);
  t.same(pending.map((e) => e.seq), [3, 1], 'data_gap (critical) first, then the alarm');
  const alarm = pending.find((e) => e.seq === 1);
  t.equal(alarm?.payloadJson, p1, 'the payload text is byte for byte the old one');
  t.equal(alarm?.payload['code'], 'OVERLOAD', 'lazy parse still works');
  t.equal(pending.find((e) => e.seq === 3)?.payload['count'], 7);
  ob.markDelivered([1], now + 1);
  t.same(ob.pending(10).map((e) => e.seq), [3]);
  t.equal(ob.stats().delivered, 1);
  // New rows after the migration: seq keeps counting, payload written once with its seq.
  const [added] = ob.append([{ event: alarmEvent(), topic: 'x', payload: { schema: 1 } }]);
  t.equal(added?.seq, 4);
  t.equal(ob.pending(10).find((e) => e.seq === 4)?.payload['seq'], 4);
  ob.close();

  const db = new Database(file, { readonly: true });
  t.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const cols = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
  t.notOk(cols.includes('payload'), 'events.payload is gone');
  const payloads = db.prepare('SELECT seq, payload FROM payloads ORDER BY seq').all() as Array<{ seq: number; payload: string }>;
  t.same(payloads.map((r) => r.seq), [1, 3, 4], 'the pruned row took its payload with it (trigger)');
  t.equal(payloads[0]?.payload, p1);
  t.notOk(payloads.some((r) => r.payload === p2));
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();

  // And the read-only view over the migrated file.
  const after = new StoreReader(file).open();
  t.same(after.history({ since: 0, limit: 10 }).map((r) => [r.seq, r.code, r.delivered]), [[1, 'OVERLOAD', true], [4, '', false]]);
  after.close();
});

void t.test('every delete of an event removes its payload: prune, eviction, direct DELETE', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'o.db');
  const ob = SqliteOutbox.open(file, { ...SYSTEM_PORTS, limits: { maxBytes: 256 * 1024 } });
  const pad = 'x'.repeat(800);
  for (let i = 0; i < 10; i++) {
    ob.append(Array.from({ length: 100 }, (_, j) => ({ event: alarmEvent({ alarmId: `a${i}-${j}` }), topic: 'x', payload: { pad } })));
  }
  t.ok(ob.stats().evictions > 0, 'the size limit evicted');
  ob.close();
  const db = new Database(file);
  const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
  t.equal(count('SELECT COUNT(*) FROM payloads WHERE seq NOT IN (SELECT seq FROM events)'), 0, 'no orphan payload');
  t.equal(count('SELECT COUNT(*) FROM events WHERE seq NOT IN (SELECT seq FROM payloads)'), 0, 'no event without payload');
  t.ok(count(`SELECT COUNT(*) FROM events e JOIN payloads p ON p.seq = e.seq WHERE e.kind = 'data_gap'`) > 0, 'the data_gap has its payload');
  db.exec('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT 5)');
  t.equal(count('SELECT COUNT(*) FROM payloads WHERE seq NOT IN (SELECT seq FROM events)'), 0, 'a direct DELETE too');
  db.close();
});

// The delivered watermark of the SQLite outbox (schema v4, src/store/delivered-watermark.ts):
// an in-order batch of PUBACKs is recorded as one row per priority, other readers of the file
// see it as delivered at once, and maintenance settles it into delivered_at before retention.
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { StoreReader } from '../src/diagnostics/store-reader.js';
import { alarmEvent, tempDir } from './uplink-helpers.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

const item = (severity: 'major' | 'minor') => ({
  event: alarmEvent({ severity, code: severity === 'major' ? 'DOOR_CLOSE_FAULT' : 'OVERLOAD' }),
  topic: 'liftwatch/s/g/lift/L1/event',
  payload: { schema: 'liftwatch.event/1', at: '2025-01-02T03:04:05.678Z', lift: { id: 'L1' } },
});

void t.test('an in-order batch moves the watermark; other readers see it delivered; maintenance settles it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'w.db');
  const ob = SqliteOutbox.open(file, SYSTEM_PORTS);
  t.teardown(() => ob.close());
  const rows = ob.append(['major', 'minor', 'major', 'major', 'minor'].map((s) => item(s as 'major' | 'minor')));
  const priority = new Map(rows.map((e) => [e.seq, e.priority]));
  const first = rows.slice(0, 3).map((e) => e.seq); // majors 1, 3 and minor 2: each a prefix of its priority
  ob.markDelivered(first, 1_000, (s) => priority.get(s));

  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.same(
    raw.prepare('SELECT priority, seq, at FROM delivered_upto ORDER BY priority').all(),
    [
      { priority: rows[0]?.priority, seq: rows[2]?.seq, at: 1_000 },
      { priority: rows[1]?.priority, seq: rows[1]?.seq, at: 1_000 },
    ],
    'one watermark row per priority',
  );
  t.equal(raw.prepare('SELECT COUNT(*) FROM events WHERE delivered_at IS NOT NULL').pluck().get(), 0, 'no row updated on the delivery path');

  const reader = new StoreReader(file).open();
  t.teardown(() => reader.close());
  const st = reader.outboxStats();
  t.equal(st.pending, 2, 'a second connection counts the watermarked rows as delivered');
  t.equal(st.delivered, 3);
  const history = reader.history({ since: 0, limit: 10 });
  t.same(history.map((h) => h.delivered), [true, true, true, false, false], 'history marks them delivered');

  ob.maintain();
  t.same(
    raw.prepare('SELECT seq, delivered_at AS at FROM events WHERE delivered_at IS NOT NULL ORDER BY seq').all(),
    first.map((seq) => ({ seq, at: 1_000 })),
    'settled: delivered_at set from the watermark, on exactly those rows',
  );
  t.equal(ob.stats().pending, 2);
});

void t.test('a batch that is not the next pending rows is marked row by row', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'w.db');
  const ob = SqliteOutbox.open(file, SYSTEM_PORTS);
  t.teardown(() => ob.close());
  const rows = ob.append(['major', 'major', 'major'].map((s) => item(s as 'major')));
  const [a, b, c] = rows.map((e) => e.seq) as [number, number, number];
  ob.markDelivered([a, c], 2_000, () => rows[0]?.priority); // b still in flight
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.equal(raw.prepare('SELECT COUNT(*) FROM delivered_upto').pluck().get(), 0, 'no watermark');
  t.same(raw.prepare('SELECT seq FROM events WHERE delivered_at = 2000 ORDER BY seq').pluck().all(), [a, c], 'the two rows marked');
  t.same(ob.pending(10).map((e) => e.seq), [b]);
});

void t.test('after a crash (no close, no settle) the reopened store still counts the watermarks', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'w.db');
  const ob = SqliteOutbox.open(file, SYSTEM_PORTS);
  const rows = ob.append(['major', 'major', 'major'].map((s) => item(s as 'major')));
  ob.markDelivered([rows[0]?.seq as number, rows[1]?.seq as number], 3_000, () => rows[0]?.priority);
  // Copy the file as a power cut would leave it: the WAL holds the watermark, nothing settled.
  const { copyFileSync } = await import('node:fs');
  const copy = join(dir, 'copy.db');
  copyFileSync(file, copy);
  copyFileSync(`${file}-wal`, `${copy}-wal`);
  ob.close();
  const again = SqliteOutbox.open(copy, SYSTEM_PORTS);
  t.teardown(() => again.close());
  t.same(again.pending(10).map((e) => e.seq), [rows[2]?.seq], 'only the undelivered row is pending');
  t.equal(again.stats().delivered, 2);
});

import t from 'tap';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { MemoryOutbox, newMemoryOutboxState } from './helpers/memory-outbox.js';
import { outboxConformance } from './store-conformance.js';
import { alarmEvent, tempDir } from './uplink-helpers.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

void t.test('SqliteOutbox conformance', async (t) => {
  outboxConformance(t, () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'nested', 'deeper', 'outbox.db'); // parent directories are created
    return { open: () => SqliteOutbox.open(file, SYSTEM_PORTS), cleanup };
  });
});

void t.test('MemoryOutbox conformance', async (t) => {
  outboxConformance(t, () => {
    const state = newMemoryOutboxState();
    return { open: () => new MemoryOutbox({ state }), cleanup: () => undefined };
  });
});

void t.test('SqliteOutbox file settings: WAL, auto_vacuum, schema version', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'o.db');
  const ob = SqliteOutbox.open(file, SYSTEM_PORTS);
  ob.append([{ event: alarmEvent(), topic: 'x', payload: {} }]);
  const db = new Database(file, { readonly: true });
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  t.equal(MIGRATIONS.length, 4, 'schema v4: delivered watermarks');
  t.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'delivered_upto'").get(), 'the delivered_upto table');
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2, 'auto_vacuum INCREMENTAL from creation');
  const row = db
    .prepare('SELECT p.payload, e.lifecycle, e.code FROM events e JOIN payloads p ON p.seq = e.seq')
    .get() as { payload: string; lifecycle: string; code: string };
  t.equal(row.lifecycle, 'raised');
  t.equal(JSON.parse(row.payload).seq, 1);
  // A stored row's payload is a lazy accessor on its class: serialising the row keeps it.
  t.match(JSON.parse(JSON.stringify(ob.pending(1)[0])), { seq: 1, payload: { seq: 1 } }, 'JSON of a stored row carries its payload');
  db.close();
  ob.close();
  ob.close(); // idempotent
});

void t.test('SqliteOutbox uses the injected clock for createdAt', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const clock = { now: () => ({ mono: 1, wall: 1_700_000_000_123 }), setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined };
  const ob = SqliteOutbox.open(join(dir, 'o.db'), { ...SYSTEM_PORTS, clock });
  const [e] = ob.append([{ event: alarmEvent(), topic: 'x', payload: {} }]);
  t.equal(e?.createdAt, 1_700_000_000_123);
  t.equal(ob.stats().oldestPendingAt, 1_700_000_000_123);
  ob.close();
});

void t.test('open errors are typed and name the path', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const notDb = join(dir, 'garbage.db');
  writeFileSync(notDb, 'this is not a database, just text that is long enough to have a header.'.repeat(20));
  t.throws(() => SqliteOutbox.open(notDb, SYSTEM_PORTS), { code: 'STORE_OPEN_FAILED', path: notDb });

  // A directory that cannot be created (its "parent" is a file): fails even as root.
  const underFile = join(notDb, 'sub', 'o.db');
  t.throws(() => SqliteOutbox.open(underFile, SYSTEM_PORTS), { code: 'STORE_OPEN_FAILED', path: underFile });

  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    t.teardown(() => chmodSync(locked, 0o700));
    const inLocked = join(locked, 'o.db');
    t.throws(() => SqliteOutbox.open(inLocked, SYSTEM_PORTS), { code: 'STORE_OPEN_FAILED', path: inLocked });
  }

  const newer = join(dir, 'newer.db');
  const db = new Database(newer);
  db.pragma('user_version = 99');
  db.close();
  t.throws(() => SqliteOutbox.open(newer, SYSTEM_PORTS), { code: 'STORE_SCHEMA_TOO_NEW', path: newer });
});

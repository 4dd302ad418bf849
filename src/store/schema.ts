/**
 * Outbox schema, migrated by SQLite's `user_version` (one entry per version; never edit a
 * shipped entry, append a new one). Each migration runs in its own transaction.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';

export const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE events (
    -- AUTOINCREMENT: a seq is never reused, even after the newest rows are evicted
    -- (https://sqlite.org/autoinc.html), so a receiver can trust it to be strictly increasing.
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT    NOT NULL UNIQUE,
    lift_id      TEXT    NOT NULL,
    alarm_id     TEXT    NOT NULL,
    code         TEXT    NOT NULL,
    lifecycle    TEXT    NOT NULL,
    priority     INTEGER NOT NULL,
    topic        TEXT    NOT NULL,
    payload      TEXT    NOT NULL, -- JSON, eventId and seq included
    created_at   INTEGER NOT NULL, -- wall ms
    delivered_at INTEGER           -- wall ms of the PUBACK, NULL while pending
  );
  CREATE INDEX events_pending ON events (priority, seq) WHERE delivered_at IS NULL;
  CREATE TABLE alarms (
    alarm_id       TEXT PRIMARY KEY,
    lift_id        TEXT    NOT NULL,
    code           TEXT    NOT NULL,
    last_lifecycle TEXT    NOT NULL,
    last_event     TEXT    NOT NULL, -- JSON AlarmEvent
    active         INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value
  );
  `,
  // v2 (bounded disk): a row kind so a data_gap announcement is never evicted, and an
  // index to prune delivered rows oldest first without scanning the pending ones.
  `
  ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'alarm'; -- 'alarm' | 'data_gap'
  CREATE INDEX events_delivered ON events (seq) WHERE delivered_at IS NOT NULL;
  `,
  // v3 (the drain benchmark): the JSON payload in its own table, keyed by the event's seq. Marking a
  // row delivered then rewrites a ~60-byte events row instead of ~900 bytes, and the pending
  // rows of one priority sit on fewer pages (read+mark 12.7 -> 5.5 µs a row, measured before and
  // after the split).
  // An event and its payload are written in one transaction (append, insertGap); the trigger
  // removes a payload with its event on every delete (retention, prune), in the same statement.
  // DROP COLUMN needs SQLite >= 3.35 (better-sqlite3 bundles 3.53) and no index, trigger or
  // view naming the column: none does (https://sqlite.org/lang_altertable.html#altertabdropcol).
  `
  CREATE TABLE payloads (
    seq     INTEGER PRIMARY KEY, -- events.seq; removed with it by events_payload_delete
    payload TEXT    NOT NULL     -- JSON, eventId and seq included
  );
  INSERT INTO payloads (seq, payload) SELECT seq, payload FROM events;
  ALTER TABLE events DROP COLUMN payload;
  CREATE TRIGGER events_payload_delete AFTER DELETE ON events
  BEGIN
    DELETE FROM payloads WHERE seq = old.seq;
  END;
  `,
  // v4 (the drain benchmark): a delivered watermark per priority. Every row of priority p with
  // seq <= delivered_upto.seq counts as delivered, whatever its delivered_at says: PUBACKs come
  // in publish order on one connection ([MQTT-4.6.0-2]) and the dispatcher sends each priority
  // in seq order, so a batch of PUBACKs usually covers exactly the next pending rows of a
  // priority and is recorded by one row here instead of an UPDATE per event (3.8 -> 0.3 µs a
  // row). `settle` (SqliteOutbox.maintain, close) later copies the watermark into delivered_at
  // in one range UPDATE, before retention reads delivered_at. Seqs only grow (AUTOINCREMENT),
  // so a watermark never covers a row committed after it.
  `
  CREATE TABLE delivered_upto (
    priority INTEGER PRIMARY KEY,
    seq      INTEGER NOT NULL, -- every row of this priority with seq <= this is delivered
    at       INTEGER NOT NULL  -- wall ms of the PUBACKs that last moved it
  );
  `,
];

/** Brings the database to the newest schema. Throws STORE_SCHEMA_TOO_NEW for a newer file. */
export function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `${path}: schema version ${current} is newer than this liftwatch understands (${MIGRATIONS.length})`,
      path,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** SQLite's `auto_vacuum` value for INCREMENTAL (https://sqlite.org/pragma.html#pragma_auto_vacuum). */
const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Call before the first table exists (a new file) and again after `migrate`. With
 * auto_vacuum = INCREMENTAL, `PRAGMA incremental_vacuum` after pruning hands free pages back to
 * the file system, so the file shrinks (kura #2181, #4234: a store file that never shrinks).
 * The mode can only be chosen before the first table is created, or changed by a VACUUM; a
 * file made by an older liftwatch is converted once here. Returns true when it converted.
 */
export function ensureIncrementalVacuum(db: Database.Database): boolean {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) === AUTO_VACUUM_INCREMENTAL) return false;
  db.pragma('auto_vacuum = INCREMENTAL'); // takes effect at once on a file without tables
  if ((db.pragma('auto_vacuum', { simple: true }) as number) === AUTO_VACUUM_INCREMENTAL) return false;
  db.exec('VACUUM'); // rewrites the file with the new mode; outside any transaction
  return true;
}

/**
 * Page cache per connection, KiB. better-sqlite3 builds SQLite with
 * SQLITE_DEFAULT_CACHE_SIZE=-16000 (better-sqlite3/deps/defines.gypi), i.e. up to 16 MB of
 * malloc'd pages per connection, filled as the database grows and the daily quick_check reads
 * every page: the agent's RSS then creeps up for days towards that bound (the unattended soak
 * showed the malloc heap growing ~0.35 MB/min with the V8 heap flat). The agent appends and
 * reads the head of the outbox, so SQLite's own default suffices: "-2000, which means the cache
 * size is limited to 2048000 bytes of memory" (https://sqlite.org/pragma.html#pragma_cache_size).
 */
export const PAGE_CACHE_KIB = 2000;

/** Bounds the connection's page cache to PAGE_CACHE_KIB (a negative cache_size is in KiB). */
export function boundPageCache(db: Database.Database): void {
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
}

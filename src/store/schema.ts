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

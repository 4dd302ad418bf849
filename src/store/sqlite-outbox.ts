/**
 * The durable outbox over better-sqlite3. Every alarm event is committed here, together with
 * the alarm-state change it describes, before anything is published (field lessons 1 and 8:
 * an in-memory queue or a PUBACK is not durability).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AlarmEvent } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Outbox, OutboxStats, StoredEvent } from '../ports/outbox.js';
import { StoreError } from './errors.js';
import { migrate } from './schema.js';
import { activeAfter, priorityOf, withIds } from './outbox-rules.js';

interface EventRow {
  seq: number;
  event_id: string;
  lift_id: string;
  alarm_id: string;
  priority: number;
  topic: string;
  payload: string;
  created_at: number;
}

const SELECT_EVENT = 'SELECT seq, event_id, lift_id, alarm_id, priority, topic, payload, created_at FROM events';

/** Statements compiled once at open. */
function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, payload, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?)`,
    ),
    setPayload: db.prepare('UPDATE events SET payload = ? WHERE seq = ?'),
    getAlarm: db.prepare('SELECT active FROM alarms WHERE alarm_id = ?'),
    upsertAlarm: db.prepare(
      `INSERT INTO alarms (alarm_id, lift_id, code, last_lifecycle, last_event, active) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (alarm_id) DO UPDATE SET last_lifecycle = excluded.last_lifecycle,
         last_event = excluded.last_event, active = excluded.active`,
    ),
    pending: db.prepare(`${SELECT_EVENT} WHERE delivered_at IS NULL ORDER BY priority, seq LIMIT ?`),
    mark: db.prepare('UPDATE events SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL'),
    stats: db.prepare(
      `SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL) AS pending,
              MIN(created_at) FILTER (WHERE delivered_at IS NULL) AS oldest,
              COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered
       FROM events`,
    ),
    active: db.prepare('SELECT last_event FROM alarms WHERE active = 1 ORDER BY rowid'),
    nextSession: db.prepare(
      `INSERT INTO meta (key, value) VALUES ('session', 1)
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
    ),
  };
}
type Statements = ReturnType<typeof prepare>;

export class SqliteOutbox implements Outbox {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly sql: Statements,
    readonly path: string,
    private readonly now: () => number,
  ) {}

  /** Opens (creating if needed) the outbox file. Throws StoreError naming the path. */
  static open(path: string, opts: { clock?: Clock } = {}): SqliteOutbox {
    const clock = opts.clock;
    const now = clock ? () => clock.now().wall : () => Date.now();
    let db: Database.Database | undefined;
    let sql: Statements;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      // FULL: every commit is fsynced, WAL included, so a committed alarm survives a power cut
      // (https://sqlite.org/pragma.html#pragma_synchronous; Kura's H2 store lost data this way,
      // eclipse/kura#2169). Each append is one transaction and alarm events are rare, so the
      // fsync costs nothing that matters, even on an SD card; bursts go in one append() call.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      migrate(db, path);
      sql = prepare(db);
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError('STORE_OPEN_FAILED', `cannot open outbox ${path}: ${(err as Error).message}`, path, {
        cause: err,
      });
    }
    return new SqliteOutbox(db, sql, path, now);
  }

  append(items: Array<{ event: AlarmEvent; topic: string; payload: Record<string, unknown> }>): StoredEvent[] {
    this.assertOpen();
    const { insert, setPayload, getAlarm, upsertAlarm } = this.sql;
    // One transaction: the events and the alarm table agree after any crash.
    return this.db.transaction(() => {
      const createdAt = this.now();
      return items.map(({ event, topic, payload }): StoredEvent => {
        const eventId = randomUUID();
        const priority = priorityOf(event);
        const info = insert.run(eventId, event.liftId, event.alarmId, event.code, event.lifecycle, priority, topic, createdAt);
        const seq = Number(info.lastInsertRowid);
        const full = withIds(payload, eventId, seq);
        setPayload.run(JSON.stringify(full), seq);
        const prev = getAlarm.get(event.alarmId) as { active: number } | undefined;
        const active = activeAfter(prev === undefined ? undefined : prev.active === 1, event.lifecycle);
        upsertAlarm.run(event.alarmId, event.liftId, event.code, event.lifecycle, JSON.stringify(event), active ? 1 : 0);
        return { seq, eventId, liftId: event.liftId, alarmId: event.alarmId, priority, topic, payload: full, createdAt };
      });
    })();
  }

  pending(limit: number): StoredEvent[] {
    this.assertOpen();
    const rows = this.sql.pending.all(Math.max(0, Math.floor(limit))) as EventRow[];
    return rows.map(toStored);
  }

  markDelivered(seqs: number[], at: number): void {
    this.assertOpen();
    if (seqs.length === 0) return;
    const mark = this.sql.mark;
    this.db.transaction(() => {
      for (const seq of seqs) mark.run(at, seq);
    })();
  }

  stats(): OutboxStats {
    this.assertOpen();
    const row = this.sql.stats.get() as { pending: number; oldest: number | null; delivered: number };
    return { pending: row.pending, oldestPendingAt: row.oldest, delivered: row.delivered };
  }

  activeAlarms(): AlarmEvent[] {
    this.assertOpen();
    const rows = this.sql.active.all() as Array<{
      last_event: string;
    }>;
    return rows.map((r) => JSON.parse(r.last_event) as AlarmEvent);
  }

  nextSession(): number {
    this.assertOpen();
    const row = this.sql.nextSession.get() as { value: number };
    return Number(row.value);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `outbox ${this.path} is closed`, this.path);
  }
}

function toStored(r: EventRow): StoredEvent {
  return {
    seq: r.seq,
    eventId: r.event_id,
    liftId: r.lift_id,
    alarmId: r.alarm_id,
    priority: r.priority,
    topic: r.topic,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

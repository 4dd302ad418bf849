/**
 * The durable outbox over better-sqlite3. Every alarm event is committed here, together with
 * the alarm-state change it describes, before anything is published (other gateways lost
 * buffered data held in memory around outages and restarts, and a PUBACK means the broker has a
 * message, not that it survives our restart: neither is durability). Durability choices:
 * docs/storage.md.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AlarmEvent } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import {
  PRIORITY_VALUES,
  type MaintenanceReport,
  type Outbox,
  type OutboxStats,
  type SeqRange,
  type StoredEvent,
} from '../ports/outbox.js';
import { StoreError } from './errors.js';
import { prepareStats, readStats } from './outbox-stats.js';
import { boundPageCache, ensureIncrementalVacuum, migrate } from './schema.js';
import { activeAfter, priorityOf, withIds } from './outbox-rules.js';
import { ANONYMOUS_GAP_CONTEXT, type DataGapContext } from './data-gap.js';
import { DEFAULT_LIMITS, Retention, type RetentionLimits } from './retention.js';
import type { IdSource } from '../ports/ids.js';
import { DeliveredWatermarks } from './delivered-watermark.js';

export interface SqliteOutboxOptions {
  /** Creation and delivery times. */
  clock: Clock;
  /** eventIds (time-ordered UUIDv7 in the agent: platform/uuid-ids.ts). */
  eventIds: IdSource;
  /** storage.maxBytes / storage.maxAgeDays (defaults 256 MiB, 90 days). */
  limits?: Partial<RetentionLimits>;
  /** Topic and identity for data_gap announcements. */
  dataGap?: DataGapContext;
  /**
   * Durability of appends and evictions. FULL (the default, and the only setting the agent
   * uses) fsyncs the WAL at every commit; NORMAL exists for the benchmark in docs/storage.md.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** The age limit is applied at most this often (default one hour). */
  agePruneEveryMs?: number;
}

/** A row of SELECT_EVENT in raw mode (arrays, not objects: ~1 µs a row less in the drain benchmark). */
type EventRow = [seq: number, eventId: string, liftId: string, alarmId: string, priority: number, topic: string, payload: string, createdAt: number];

// The payload lives in its own table since schema v3 (schema.ts): one seek on its primary key per row.
const SELECT_EVENT =
  'SELECT e.seq, e.event_id, e.lift_id, e.alarm_id, e.priority, e.topic, p.payload, e.created_at FROM events e JOIN payloads p ON p.seq = e.seq';
/**
 * WAL pages before an automatic checkpoint: SQLite's default 1000 (4 MiB), or 1/16 of maxBytes
 * when that is smaller, so the WAL beside a small store stays small too. After a checkpoint the
 * WAL file is truncated to the same size (https://sqlite.org/pragma.html#pragma_journal_size_limit).
 */
function walPages(maxBytes: number, pageSize: number): number {
  return Math.max(32, Math.min(1000, Math.floor(maxBytes / 16 / pageSize)));
}

/**
 * The pending read, one priority at a time: a seek on events_pending (priority = ? AND seq in
 * range), so the cost follows the rows returned, not the backlog nor the delivered history.
 *
 * The LIMIT is written into the SQL, never bound. better-sqlite3 builds SQLite with STAT4, and
 * then a host parameter that the planner looked at (the LIMIT is one) marks the statement
 * expired on every bind, so each call re-prepared the whole join: 12.3 µs for an empty read
 * with `LIMIT ?`, 2.6 µs with `LIMIT 100` (docs/performance.md;
 * "the statement will be automatically recompiled ... if the value of a host parameter could
 * affect the query plan", https://sqlite.org/c3ref/prepare.html). Statements are compiled on
 * first use, one per power of two (the extra rows of a bucket are dropped), so at most a
 * dozen exist: each compiled join holds ~20 KB, and one per exact limit would have grown with
 * every new window size the dispatcher asked for (up to its in-flight window).
 */
function pendingStatements(db: Database.Database): (limit: number) => Database.Statement {
  const cache = new Map<number, Database.Statement>();
  return (limit) => {
    const size = 2 ** Math.ceil(Math.log2(Math.max(1, limit)));
    let stmt = cache.get(size);
    if (!stmt) {
      stmt = db.prepare(`${SELECT_EVENT} WHERE e.delivered_at IS NULL AND e.priority = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ${size}`).raw(true);
      cache.set(size, stmt);
    }
    return stmt;
  };
}

/** Statements compiled once at open. */
function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Written once, after the seq is known (the payload carries it), in the append's transaction.
    insertPayload: db.prepare('INSERT INTO payloads (seq, payload) VALUES (?, ?)'),
    getAlarm: db.prepare('SELECT active FROM alarms WHERE alarm_id = ?'),
    upsertAlarm: db.prepare(
      `INSERT INTO alarms (alarm_id, lift_id, code, last_lifecycle, last_event, active) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (alarm_id) DO UPDATE SET last_lifecycle = excluded.last_lifecycle,
         last_event = excluded.last_event, active = excluded.active`,
    ),
    pendingOfPriority: pendingStatements(db),
    mark: db.prepare('UPDATE events SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL'),
    lastSeq: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).pluck(),
    ...prepareStats(db),
    active: db.prepare('SELECT last_event FROM alarms WHERE active = 1 ORDER BY rowid'),
    // Read once at start; the table is bounded by retention (ended alarms are pruned by age).
    raisedSince: db.prepare("SELECT last_event FROM alarms WHERE json_extract(last_event, '$.confirmedAt') >= ? ORDER BY rowid"),
    nextSession: db.prepare(
      `INSERT INTO meta (key, value) VALUES ('session', 1)
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
    ),
  };
}
type Statements = ReturnType<typeof prepare>;

export class SqliteOutbox implements Outbox {
  private closed = false;
  private lastAgePrune: number;
  private readonly marks: DeliveredWatermarks;

  private constructor(
    private readonly db: Database.Database,
    private readonly sql: Statements,
    private readonly retention: Retention,
    readonly path: string,
    private readonly now: () => number,
    private readonly opts: SqliteOutboxOptions,
  ) {
    this.lastAgePrune = -Infinity;
    this.marks = new DeliveredWatermarks(db);
  }

  /** Opens (creating if needed) the outbox file and applies the limits. Throws StoreError naming the path. */
  static open(path: string, opts: SqliteOutboxOptions): SqliteOutbox {
    const clock = opts.clock;
    const now = () => clock.now().wall;
    let db: Database.Database | undefined;
    let outbox: SqliteOutbox;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      ensureIncrementalVacuum(db); // before the first table of a new file: no VACUUM needed then
      db.pragma('journal_mode = WAL');
      // FULL: every commit fsyncs the WAL, so a committed alarm survives a power cut; NORMAL in
      // WAL mode may lose the last commits on power loss (https://sqlite.org/pragma.html#pragma_synchronous;
      // Kura's H2 store lost data this way, eclipse/kura#2169). Numbers: docs/storage.md.
      db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      const limits = { ...DEFAULT_LIMITS, ...opts.limits };
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const walBytes = walPages(limits.maxBytes, pageSize) * pageSize;
      db.pragma(`wal_autocheckpoint = ${walBytes / pageSize}`);
      db.pragma(`journal_size_limit = ${walBytes}`);
      db.pragma('busy_timeout = 5000');
      boundPageCache(db);
      migrate(db, path);
      ensureIncrementalVacuum(db); // converts a file made before the disk was bounded (one VACUUM)
      // maxBytes bounds the database AND its WAL: the data gets what the WAL does not.
      const dataLimits = { ...limits, maxBytes: Math.max(Math.floor(limits.maxBytes / 2), limits.maxBytes - walBytes) };
      const retention = new Retention(db, dataLimits, opts.dataGap ?? ANONYMOUS_GAP_CONTEXT, opts.eventIds);
      outbox = new SqliteOutbox(db, prepare(db), retention, path, now, opts);
      outbox.maintain(); // a lowered limit or a long power-off applies at once
    } catch (err) {
      db?.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError('STORE_OPEN_FAILED', `cannot open outbox ${path}: ${(err as Error).message}`, path, {
        cause: err,
      });
    }
    return outbox;
  }

  append(items: Array<{ event: AlarmEvent; topic: string; payload: Record<string, unknown> }>): StoredEvent[] {
    this.assertOpen();
    const { insert, insertPayload, getAlarm, upsertAlarm } = this.sql;
    // One transaction: the events and the alarm table agree after any crash.
    const stored = this.db.transaction(() => {
      const createdAt = this.now();
      return items.map(({ event, topic, payload }): StoredEvent => {
        const eventId = this.opts.eventIds.newId();
        const priority = priorityOf(event);
        const info = insert.run(eventId, event.liftId, event.alarmId, event.code, event.lifecycle, priority, topic, createdAt);
        const seq = Number(info.lastInsertRowid);
        const full = withIds(payload, eventId, seq);
        insertPayload.run(seq, JSON.stringify(full));
        const prev = getAlarm.get(event.alarmId) as { active: number } | undefined;
        const active = activeAfter(prev === undefined ? undefined : prev.active === 1, event.lifecycle);
        upsertAlarm.run(event.alarmId, event.liftId, event.code, event.lifecycle, JSON.stringify(event), active ? 1 : 0);
        return { seq, eventId, liftId: event.liftId, alarmId: event.alarmId, priority, topic, payload: full, createdAt };
      });
    })();
    // After the commit, never inside it: the events are safe whatever the limits decide. A
    // failing pass must not make a committed append look failed (the agent would derive the
    // events again): it is retried on the next append or by the scheduled maintain().
    try {
      if (this.retention.overLimit() || this.now() - this.lastAgePrune >= (this.opts.agePruneEveryMs ?? 3_600_000)) {
        this.maintain();
      }
    } catch {
      this.lastAgePrune = -Infinity;
    }
    return stored;
  }

  pending(limit: number, range: SeqRange = {}): StoredEvent[] {
    this.assertOpen();
    const after = range.afterSeq ?? 0;
    const upTo = range.upToSeq ?? Number.MAX_SAFE_INTEGER;
    let left = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(limit)));
    const out: StoredEvent[] = [];
    for (const priority of PRIORITY_VALUES) {
      if (left <= 0) break;
      const stmt = this.sql.pendingOfPriority(left);
      const rows = stmt.all(priority, Math.max(after, range.afterSeqOf?.[priority] ?? 0, this.marks.of(priority)), upTo) as EventRow[];
      const n = Math.min(rows.length, left); // a power-of-two bucket may return more
      for (let i = 0; i < n; i++) out.push(new StoredRow(rows[i] as EventRow));
      left -= n;
    }
    return out;
  }

  /**
   * Deliveries commit with synchronous=NORMAL: losing one to a power cut only means a
   * duplicate (same eventId), never a loss, and the next FULL commit fsyncs it anyway. This
   * halves the fsyncs while a backlog drains (docs/storage.md).
   */
  markDelivered(seqs: number[], at: number, priorityOf?: (seq: number) => number | undefined): void {
    this.assertOpen();
    if (seqs.length === 0) return;
    const mark = this.sql.mark;
    const markRow = (seq: number): void => void mark.run(at, seq);
    // Never a prepared statement: SQLite applies `PRAGMA synchronous` when it is COMPILED
    // (https://sqlite.org/pragma.html: "some pragmas take effect during the SQL compilation
    // stage"), so preparing both settings once left every commit at the last one prepared.
    this.db.pragma('synchronous = NORMAL');
    try {
      // By watermark where a batch is exactly the next pending rows of a priority
      // (delivered-watermark.ts), else row by row; the watermarks move in memory after the commit.
      const moved = this.db.transaction(() => {
        if (priorityOf) return this.marks.record(seqs, at, priorityOf, markRow);
        for (const seq of seqs) markRow(seq);
        return null;
      })();
      if (moved) this.marks.adopt(moved);
    } finally {
      this.db.pragma(`synchronous = ${this.opts.synchronous ?? 'FULL'}`);
    }
  }

  lastSeq(): number {
    this.assertOpen();
    return Number(this.sql.lastSeq.get() ?? 0);
  }

  stats(): OutboxStats {
    this.assertOpen();
    return readStats(this.sql, this.path);
  }

  /** Settles the delivered watermarks first: retention reads delivered_at only. */
  maintain(): MaintenanceReport {
    this.assertOpen();
    const now = this.now();
    this.lastAgePrune = now;
    this.db.transaction(() => this.marks.settle())();
    return this.retention.run(now);
  }

  activeAlarms(): AlarmEvent[] {
    this.assertOpen();
    const rows = this.sql.active.all() as Array<{ last_event: string }>;
    return rows.map((r) => JSON.parse(r.last_event) as AlarmEvent);
  }

  alarmsRaisedSince(wall: number): AlarmEvent[] {
    this.assertOpen();
    const rows = this.sql.raisedSince.all(wall) as Array<{ last_event: string }>;
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
    try {
      // So that a reader of the file (the CLI with the agent stopped, an older liftwatch) finds
      // delivered_at as the watermarks say; if this fails, the next open settles them.
      this.db.transaction(() => this.marks.settle())();
    } catch {
      // the watermarks are committed; nothing is lost
    }
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `outbox ${this.path} is closed`, this.path);
  }
}

/**
 * A row as the store hands it out. `payload` is parsed on first use only: the dispatcher sends
 * `payloadJson` as it is, and a parse per row was the largest cost of reading a backlog after
 * the cursor fix (the drain benchmark). A class, not an object literal with get/set: the literal
 * made two closures per row, 0.73 µs against ~0.01 (docs/performance.md). The payload is an
 * accessor on the prototype, so `{ ...row }` would drop it: toJSON puts it back for
 * serialisation, and nothing in the agent spreads a stored event.
 */
class StoredRow implements StoredEvent {
  readonly seq: number;
  readonly eventId: string;
  readonly liftId: string;
  readonly alarmId: string;
  readonly priority: number;
  readonly topic: string;
  readonly payloadJson: string;
  readonly createdAt: number;
  #parsed: Record<string, unknown> | undefined;

  constructor(r: EventRow) {
    this.seq = r[0];
    this.eventId = r[1];
    this.liftId = r[2];
    this.alarmId = r[3];
    this.priority = r[4];
    this.topic = r[5];
    this.payloadJson = r[6];
    this.createdAt = r[7];
  }

  get payload(): Record<string, unknown> {
    return (this.#parsed ??= JSON.parse(this.payloadJson) as Record<string, unknown>);
  }

  set payload(v: Record<string, unknown>) {
    this.#parsed = v;
  }

  toJSON(): StoredEvent {
    return { seq: this.seq, eventId: this.eventId, liftId: this.liftId, alarmId: this.alarmId, priority: this.priority, topic: this.topic, payload: this.payload, payloadJson: this.payloadJson, createdAt: this.createdAt };
  }
}


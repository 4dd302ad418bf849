/**
 * Bounded disk for the SQLite outbox (other gateways' stores grew without bound in long outages:
 * thingsboard-gateway #2094 grew to 45 GB, kura #2181/#4234 never shrank). One pass, in this order:
 *
 * 1. delivered events older than `maxAgeDays` are pruned (the delivered history is bounded);
 * 2. when the used size is over `maxBytes`, delivered events go first, oldest first, down to
 *    90 % of the limit (hysteresis, so a full store does not evict on every append);
 * 3. when still over, undelivered alarm events are evicted lowest priority first (info, minor,
 *    major, critical), oldest first within a priority: an alarm (critical/major) is never
 *    evicted while anything of lower priority remains. data_gap rows are never evicted;
 * 4. the evictions of a pass and ONE data_gap event describing them commit in one transaction,
 *    so no eviction is ever unannounced, even across a power cut;
 * 5. `PRAGMA incremental_vacuum` returns the freed pages to the file system, and a checkpoint
 *    moves the shrink into the main file and truncates the WAL.
 *
 * "Used size" is (page_count - freelist_count) * page_size: what the main file shrinks to after
 * the incremental vacuum. The WAL beside it is bounded by `journal_size_limit`. It counts the
 * pages of every table, so `payloads` (schema v3) too; each events row has exactly one payload
 * row, removed with it by the events_payload_delete trigger, so "used / events rows" (rowsFor)
 * is still the mean cost of one event.
 */
import type Database from 'better-sqlite3';
import { PRIORITY, PRIORITY_NAMES, type MaintenanceReport, type PriorityName, type StoredEvent } from '../ports/outbox.js';
import { dataGapPayload, type DataGapContext, type GapFacts } from './data-gap.js';
import { withIds } from './outbox-rules.js';
import type { IdSource } from '../ports/ids.js';

export interface RetentionLimits {
  maxBytes: number;
  maxAgeDays: number;
}

export const DEFAULT_LIMITS: RetentionLimits = { maxBytes: 256 * 1024 * 1024, maxAgeDays: 90 };

const DAY_MS = 86_400_000;
/** Size passes evict down to this fraction of maxBytes. */
const LOW_WATER = 0.9;
/** Safety bound on size rounds per pass (each round re-measures; a round frees ≥ 1 row). */
const MAX_ROUNDS = 64;

const BY_PRIORITY_DESC: ReadonlyArray<[PriorityName, number]> = [...PRIORITY_NAMES].reverse().map((n) => [n, PRIORITY[n]]);

/**
 * Every delete is a seq range on one partial index (events_delivered, or events_pending for one
 * priority): the first statement of a pair finds the n oldest rows' last seq (and the facts a
 * data_gap needs), the second deletes `seq <= last` under the same conditions, i.e. exactly those
 * rows (one transaction, one writer). No per-row statement, no `seq IN (SELECT … LIMIT)`.
 */
function prepare(db: Database.Database) {
  return {
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freeCount: db.prepare('PRAGMA freelist_count').pluck(),
    pageSize: db.prepare('PRAGMA page_size').pluck(),
    rowCount: db.prepare('SELECT COUNT(*) FROM events').pluck(),
    // One scan of events_delivered; it was chunks of 2000 rows, each scan starting over.
    pruneOld: db.prepare('DELETE FROM events WHERE delivered_at IS NOT NULL AND created_at < ?'),
    pruneOldAlarms: db.prepare(`DELETE FROM alarms WHERE active = 0 AND json_extract(last_event, '$.at') < ?`),
    oldestDelivered: db.prepare(
      `SELECT COUNT(*) AS n, MAX(seq) AS last FROM
         (SELECT seq FROM events WHERE delivered_at IS NOT NULL ORDER BY seq LIMIT ?)`,
    ),
    deleteDeliveredUpTo: db.prepare('DELETE FROM events WHERE delivered_at IS NOT NULL AND seq <= ?'),
    // The seq of the n-th oldest pending row of a priority, or of the last one: index-only
    // reads of events_pending (priority, seq). A data_gap row is always critical
    // (insertGap), so only that priority needs the row's kind, i.e. a table read per row.
    nthPending: db.prepare(
      'SELECT seq FROM events WHERE delivered_at IS NULL AND priority = ? ORDER BY seq LIMIT 1 OFFSET ?',
    ).pluck(),
    lastPending: db.prepare('SELECT MAX(seq) FROM events WHERE delivered_at IS NULL AND priority = ?').pluck(),
    nthPendingAlarm: db.prepare(
      `SELECT seq FROM events WHERE delivered_at IS NULL AND kind = 'alarm' AND priority = ? ORDER BY seq LIMIT 1 OFFSET ?`,
    ).pluck(),
    lastPendingAlarm: db.prepare(
      `SELECT MAX(seq) FROM events WHERE delivered_at IS NULL AND kind = 'alarm' AND priority = ?`,
    ).pluck(),
    // RETURNING: the data_gap's facts come from the rows as they are deleted, one table read each.
    evictUpTo: db.prepare(
      `DELETE FROM events WHERE delivered_at IS NULL AND kind = 'alarm' AND priority = ? AND seq <= ?
       RETURNING created_at`,
    ).pluck(),
    insertGap: db.prepare(
      `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, created_at, kind)
       VALUES (?, '', '', 'DATA_GAP', 'data_gap', ?, ?, ?, 'data_gap')`,
    ),
    // Schema v3: the payload in its own table, in the eviction's transaction (step 4 above).
    insertPayload: db.prepare('INSERT INTO payloads (seq, payload) VALUES (?, ?)'),
    bump: db.prepare(
      `INSERT INTO meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`,
    ),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    checkpoint: db.prepare('PRAGMA wal_checkpoint(TRUNCATE)'),
  };
}

interface Span {
  n: number;
  last: number | null;
}

/** The rows left in the table during one size pass: counted once, then kept by subtraction. */
interface RowTally {
  rows: number;
}

export class Retention {
  private readonly sql: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database.Database,
    private readonly limits: RetentionLimits,
    private readonly gapContext: DataGapContext,
    private readonly eventIds: IdSource,
  ) {
    this.sql = prepare(db);
  }

  /** Pages in use, in bytes (cheap: two header reads). */
  usedBytes(): number {
    const pages = (this.sql.pageCount.get() as number) - (this.sql.freeCount.get() as number);
    return pages * (this.sql.pageSize.get() as number);
  }

  overLimit(): boolean {
    return this.usedBytes() > this.limits.maxBytes;
  }

  run(now: number): MaintenanceReport {
    let pruned = this.db.transaction(() => {
      const n = this.pruneByAge(now);
      if (n > 0) this.sql.bump.run('pruned', n);
      return n;
    })();
    let evicted = 0;
    let gap: StoredEvent | null = null;
    if (this.overLimit()) {
      const target = Math.floor(this.limits.maxBytes * LOW_WATER);
      const res = this.db.transaction(() => {
        // COUNT(*) walks a whole index: once per pass, not once per round.
        const tally: RowTally = { rows: this.sql.rowCount.get() as number };
        const p = this.pruneDeliveredTo(target, tally);
        if (p > 0) this.sql.bump.run('pruned', p);
        const e = this.evictTo(target, now, tally);
        return { p, e };
      })();
      pruned += res.p;
      evicted = res.e.count;
      gap = res.e.gap;
    }
    if (pruned > 0 || evicted > 0) {
      // Not a prepared .run(): that steps once and frees ONE page; db.pragma() steps to the end.
      this.db.pragma('incremental_vacuum');
      // Move the shrunk pages into the file now and cut the WAL back (rare: once per pass).
      this.sql.checkpoint.run();
    }
    return { pruned, evicted, gap };
  }

  private pruneByAge(now: number): number {
    const cutoff = now - this.limits.maxAgeDays * DAY_MS;
    const total = this.sql.pruneOld.run(cutoff).changes;
    // Ended alarms leave their row behind; drop the old ones too (the table stays bounded).
    this.sql.pruneOldAlarms.run(cutoff);
    return total;
  }

  /**
   * Rows to delete to free about `excess` bytes, from the mean row size now. Rows deleted here
   * and there leave their pages partly full, and a page counts as used until it is empty (or
   * merged), so a round frees less than this and the next round re-measures: the pass never
   * deletes more than one round's estimate beyond what the limit needs. At least a page's worth,
   * since nothing below a page is ever freed.
   */
  private rowsFor(excess: number, used: number, tally: RowTally): number {
    const mean = Math.max(64, used / Math.max(1, tally.rows));
    const pageSize = this.sql.pageSize.get() as number;
    return Math.max(1, Math.ceil(Math.max(excess, pageSize) / mean));
  }

  private pruneDeliveredTo(target: number, tally: RowTally): number {
    let total = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const used = this.usedBytes();
      if (used <= target) break;
      const span = this.sql.oldestDelivered.get(this.rowsFor(used - target, used, tally)) as Span;
      if (span.n === 0 || span.last === null) break;
      const n = this.sql.deleteDeliveredUpTo.run(span.last).changes;
      tally.rows -= n;
      total += n;
    }
    return total;
  }

  private evictTo(target: number, now: number, tally: RowTally): { count: number; gap: StoredEvent | null } {
    const facts: GapFacts = { from: Infinity, to: -Infinity, count: 0, priorities: {}, at: now };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const used = this.usedBytes();
      if (used <= target) break;
      let want = this.rowsFor(used - target, used, tally);
      let exhausted = true;
      for (const [name, priority] of BY_PRIORITY_DESC) {
        const alarmsOnly = priority === PRIORITY.critical;
        const nth = (alarmsOnly ? this.sql.nthPendingAlarm : this.sql.nthPending).get(priority, want - 1) as number | undefined;
        // Fewer than `want` rows at this priority: all of them go, and the rest from the next.
        const last = nth ?? ((alarmsOnly ? this.sql.lastPendingAlarm : this.sql.lastPending).get(priority) as number | null);
        if (last === null || last === undefined) continue;
        const times = this.sql.evictUpTo.all(priority, last) as number[];
        for (const at of times) {
          if (at < facts.from) facts.from = at;
          if (at > facts.to) facts.to = at;
        }
        const n = times.length;
        if (n > 0) facts.priorities[name] = (facts.priorities[name] ?? 0) + n;
        facts.count += n;
        tally.rows -= n;
        want -= n;
        if (nth !== undefined) {
          exhausted = false; // this round's rows found; the next round re-measures
          break;
        }
      }
      if (exhausted) break; // everything evictable is gone
    }
    if (facts.count === 0) return { count: 0, gap: null };
    this.sql.bump.run('evictions', facts.count);
    this.sql.bump.run('data_gaps', 1);
    this.sql.setMeta.run('last_eviction_at', now);
    return { count: facts.count, gap: this.insertGap(facts, now) };
  }

  private insertGap(facts: GapFacts, now: number): StoredEvent {
    const eventId = this.eventIds.newId();
    const { topic } = this.gapContext;
    const priority = PRIORITY.critical; // the top: a receiver learns of the gap first
    const info = this.sql.insertGap.run(eventId, priority, topic, now);
    const seq = Number(info.lastInsertRowid);
    const payload = withIds(dataGapPayload(facts, this.gapContext), eventId, seq);
    this.sql.insertPayload.run(seq, JSON.stringify(payload));
    return { seq, eventId, liftId: '', alarmId: '', priority, topic, payload, createdAt: now };
  }
}

/**
 * Bounded disk for the SQLite outbox (issue 4; field lesson 7: thingsboard-gateway #2094 grew
 * to 45 GB, kura #2181/#4234 never shrank). One pass, in this order:
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
 * the incremental vacuum. The WAL beside it is bounded by `journal_size_limit`.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PRIORITY, PRIORITY_NAMES, type MaintenanceReport, type PriorityName, type StoredEvent } from '../ports/outbox.js';
import { dataGapPayload, type DataGapContext, type GapFacts } from './data-gap.js';
import { withIds } from './outbox-rules.js';

export interface RetentionLimits {
  maxBytes: number;
  maxAgeDays: number;
}

export const DEFAULT_LIMITS: RetentionLimits = { maxBytes: 256 * 1024 * 1024, maxAgeDays: 90 };

const DAY_MS = 86_400_000;
/** Size passes evict down to this fraction of maxBytes. */
const LOW_WATER = 0.9;
/** Rows deleted per statement while pruning by age. */
const CHUNK = 2000;
/** Safety bound on size rounds per pass (each round re-measures; a round frees ≥ 1 row). */
const MAX_ROUNDS = 64;

const BY_PRIORITY_DESC: ReadonlyArray<[PriorityName, number]> = [...PRIORITY_NAMES].reverse().map((n) => [n, PRIORITY[n]]);

function prepare(db: Database.Database) {
  return {
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freeCount: db.prepare('PRAGMA freelist_count').pluck(),
    pageSize: db.prepare('PRAGMA page_size').pluck(),
    rowCount: db.prepare('SELECT COUNT(*) FROM events').pluck(),
    pruneOld: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events
         WHERE delivered_at IS NOT NULL AND created_at < ? ORDER BY seq LIMIT ${CHUNK})`,
    ),
    pruneOldAlarms: db.prepare(`DELETE FROM alarms WHERE active = 0 AND json_extract(last_event, '$.at') < ?`),
    pruneDelivered: db.prepare(
      'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE delivered_at IS NOT NULL ORDER BY seq LIMIT ?)',
    ),
    oldestOfPriority: db.prepare(
      `SELECT seq, created_at FROM events WHERE delivered_at IS NULL AND kind = 'alarm' AND priority = ?
       ORDER BY seq LIMIT ?`,
    ),
    deleteSeq: db.prepare('DELETE FROM events WHERE seq = ?'),
    insertGap: db.prepare(
      `INSERT INTO events (event_id, lift_id, alarm_id, code, lifecycle, priority, topic, payload, created_at, kind)
       VALUES (?, '', '', 'DATA_GAP', 'data_gap', ?, ?, '{}', ?, 'data_gap')`,
    ),
    setPayload: db.prepare('UPDATE events SET payload = ? WHERE seq = ?'),
    bump: db.prepare(
      `INSERT INTO meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`,
    ),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    checkpoint: db.prepare('PRAGMA wal_checkpoint(TRUNCATE)'),
  };
}

export class Retention {
  private readonly sql: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database.Database,
    private readonly limits: RetentionLimits,
    private readonly gapContext: DataGapContext,
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
    let pruned = this.db.transaction(() => this.pruneByAge(now))();
    let evicted = 0;
    let gap: StoredEvent | null = null;
    if (this.overLimit()) {
      const target = Math.floor(this.limits.maxBytes * LOW_WATER);
      const res = this.db.transaction(() => {
        const p = this.pruneDeliveredTo(target);
        const e = this.evictTo(target, now);
        return { p, e };
      })();
      pruned += res.p;
      evicted = res.e.count;
      gap = res.e.gap;
    }
    if (pruned > 0 || evicted > 0) {
      this.db.transaction(() => {
        if (pruned > 0) this.sql.bump.run('pruned', pruned);
      })();
      // Not a prepared .run(): that steps once and frees ONE page; db.pragma() steps to the end.
      this.db.pragma('incremental_vacuum');
      // Move the shrunk pages into the file now and cut the WAL back (rare: once per pass).
      this.sql.checkpoint.run();
    }
    return { pruned, evicted, gap };
  }

  private pruneByAge(now: number): number {
    const cutoff = now - this.limits.maxAgeDays * DAY_MS;
    let total = 0;
    for (;;) {
      const n = this.sql.pruneOld.run(cutoff).changes;
      total += n;
      if (n < CHUNK) break;
    }
    // Ended alarms leave their row behind; drop the old ones too (the table stays bounded).
    this.sql.pruneOldAlarms.run(cutoff);
    return total;
  }

  /** Rows to delete to free about `excess` bytes, from the mean row size. */
  private rowsFor(excess: number): number {
    const rows = Math.max(1, this.sql.rowCount.get() as number);
    const mean = Math.max(64, this.usedBytes() / rows);
    return Math.max(1, Math.ceil(excess / mean));
  }

  private pruneDeliveredTo(target: number): number {
    let total = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const used = this.usedBytes();
      if (used <= target) break;
      const n = this.sql.pruneDelivered.run(this.rowsFor(used - target)).changes;
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private evictTo(target: number, now: number): { count: number; gap: StoredEvent | null } {
    const facts: GapFacts = { from: Infinity, to: -Infinity, count: 0, priorities: {}, at: now };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const used = this.usedBytes();
      if (used <= target) break;
      let want = this.rowsFor(used - target);
      for (const [name, priority] of BY_PRIORITY_DESC) {
        if (want <= 0) break;
        const rows = this.sql.oldestOfPriority.all(priority, want) as Array<{ seq: number; created_at: number }>;
        for (const r of rows) {
          this.sql.deleteSeq.run(r.seq);
          facts.from = Math.min(facts.from, r.created_at);
          facts.to = Math.max(facts.to, r.created_at);
          facts.priorities[name] = (facts.priorities[name] ?? 0) + 1;
          facts.count++;
        }
        want -= rows.length;
      }
      if (want > 0) break; // everything evictable is gone
    }
    if (facts.count === 0) return { count: 0, gap: null };
    this.sql.bump.run('evictions', facts.count);
    this.sql.bump.run('data_gaps', 1);
    this.sql.setMeta.run('last_eviction_at', now);
    return { count: facts.count, gap: this.insertGap(facts, now) };
  }

  private insertGap(facts: GapFacts, now: number): StoredEvent {
    const eventId = randomUUID();
    const { topic } = this.gapContext;
    const priority = PRIORITY.critical; // the top: a receiver learns of the gap first
    const info = this.sql.insertGap.run(eventId, priority, topic, now);
    const seq = Number(info.lastInsertRowid);
    const payload = withIds(dataGapPayload(facts, this.gapContext), eventId, seq);
    this.sql.setPayload.run(JSON.stringify(payload), seq);
    return { seq, eventId, liftId: '', alarmId: '', priority, topic, payload, createdAt: now };
  }
}

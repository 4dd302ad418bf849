/**
 * The outbox's statistics, read by the agent's own connection (SqliteOutbox.stats) and by
 * a technician's read-only one (diagnostics/store-reader.ts) with the same queries.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { PRIORITY_NAMES, PRIORITY_VALUES, type OutboxStats, type PriorityName } from '../ports/outbox.js';

export interface StatsStatements {
  /** The delivered watermarks (schema v4); null on an older file read as it is. */
  upto: Database.Statement | null;
  undelivered: Database.Statement;
  deliveredMarked: Database.Statement;
  pendingOf: Database.Statement;
  meta: Database.Statement;
}

export function prepareStats(db: Database.Database): StatsStatements {
  const hasUpto = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'delivered_upto'`).get() !== undefined;
  return {
    upto: hasUpto ? db.prepare('SELECT priority, seq FROM delivered_upto') : null,
    // Served by the partial indexes (events_pending, events_delivered), not a scan of the table.
    undelivered: db.prepare('SELECT COUNT(*) FROM events WHERE delivered_at IS NULL').pluck(),
    deliveredMarked: db.prepare('SELECT COUNT(*) FROM events WHERE delivered_at IS NOT NULL').pluck(),
    // Pending = delivered_at NULL and above the priority's delivered watermark (schema v4): a
    // range of events_pending per priority.
    pendingOf: db.prepare(
      `SELECT COUNT(*) AS n, SUM(kind = 'alarm') AS alarms, MIN(created_at) AS oldest
       FROM events WHERE delivered_at IS NULL AND priority = ? AND seq > ?`,
    ),
    meta: db.prepare(`SELECT key, value FROM meta WHERE key IN ('evictions', 'data_gaps', 'last_eviction_at')`),
  };
}

export function readStats(sql: StatsStatements, path: string): OutboxStats {
  const upto = new Map<number, number>();
  for (const r of (sql.upto?.all() ?? []) as Array<{ priority: number; seq: number }>) upto.set(r.priority, r.seq);
  const pendingByPriority = Object.fromEntries(PRIORITY_NAMES.map((n) => [n, 0])) as Record<PriorityName, number>;
  let pending = 0;
  let oldest: number | null = null;
  for (const p of PRIORITY_VALUES) {
    const r = sql.pendingOf.get(p, upto.get(p) ?? 0) as { n: number; alarms: number | null; oldest: number | null };
    pending += r.n;
    if (r.oldest !== null && (oldest === null || r.oldest < oldest)) oldest = r.oldest;
    const name = PRIORITY_NAMES[p];
    if (name) pendingByPriority[name] = r.alarms ?? 0;
  }
  // Rows with delivered_at NULL below a watermark are delivered, not yet settled.
  const delivered = (sql.deliveredMarked.get() as number) + ((sql.undelivered.get() as number) - pending);
  const meta = new Map((sql.meta.all() as Array<{ key: string; value: number }>).map((m) => [m.key, Number(m.value)]));
  return {
    pending,
    oldestPendingAt: oldest,
    delivered,
    pendingByPriority,
    evictions: meta.get('evictions') ?? 0,
    dataGaps: meta.get('data_gaps') ?? 0,
    lastEvictionAt: meta.get('last_eviction_at') ?? null,
    fileBytes: fileBytes(path),
  };
}

/** The database file plus its WAL, as the storage limit counts them. */
export function fileBytes(path: string): number {
  if (path === ':memory:') return 0;
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return 0; // no WAL right now
    }
  };
  return size(path) + size(`${path}-wal`);
}

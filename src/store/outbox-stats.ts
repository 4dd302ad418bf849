/**
 * The outbox's statistics, read by the agent's own connection (SqliteOutbox.stats) and by
 * a technician's read-only one (diagnostics/store-reader.ts) with the same queries.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { PRIORITY_NAMES, type OutboxStats, type PriorityName } from '../ports/outbox.js';

export interface StatsStatements {
  stats: Database.Statement;
  byPriority: Database.Statement;
  meta: Database.Statement;
}

export function prepareStats(db: Database.Database): StatsStatements {
  return {
    // Three subqueries, each served by a partial index (events_pending, events_delivered),
    // instead of one scan of the whole table: health asks for this periodically.
    stats: db.prepare(
      `SELECT (SELECT COUNT(*) FROM events WHERE delivered_at IS NULL) AS pending,
              (SELECT MIN(created_at) FROM events WHERE delivered_at IS NULL) AS oldest,
              (SELECT COUNT(*) FROM events WHERE delivered_at IS NOT NULL) AS delivered`,
    ),
    byPriority: db.prepare(
      `SELECT priority, COUNT(*) AS n FROM events WHERE delivered_at IS NULL AND kind = 'alarm' GROUP BY priority`,
    ),
    meta: db.prepare(`SELECT key, value FROM meta WHERE key IN ('evictions', 'data_gaps', 'last_eviction_at')`),
  };
}

export function readStats(sql: StatsStatements, path: string): OutboxStats {
  const row = sql.stats.get() as { pending: number; oldest: number | null; delivered: number };
  const pendingByPriority = Object.fromEntries(PRIORITY_NAMES.map((n) => [n, 0])) as Record<PriorityName, number>;
  for (const r of sql.byPriority.all() as Array<{ priority: number; n: number }>) {
    const name = PRIORITY_NAMES[r.priority];
    if (name) pendingByPriority[name] = r.n;
  }
  const meta = new Map((sql.meta.all() as Array<{ key: string; value: number }>).map((m) => [m.key, Number(m.value)]));
  return {
    pending: row.pending,
    oldestPendingAt: row.oldest,
    delivered: row.delivered,
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

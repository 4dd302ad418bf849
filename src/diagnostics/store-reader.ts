/**
 * Reads the outbox file without the agent: opened read-only, so a technician's look can never
 * change or lock what the agent will deliver. Also used by the running agent for `history`
 * (a second, read-only connection; WAL lets it read beside the writer).
 */
import Database from 'better-sqlite3';
import { PRIORITY_NAMES, type OutboxStats, type PriorityName } from '../ports/outbox.js';
import { DiagnosticsError } from './protocol.js';
import { historyRow, type AlarmRow, type HistoryRow } from './views.js';
import fs from 'node:fs';

export class StoreReader {
  private db: Database.Database | null = null;

  /** `landings` maps a lift id to its landing labels, to show a floor index as its name. */
  constructor(
    readonly path: string,
    private readonly landings: Map<string, string[]> = new Map(),
  ) {}

  open(): this {
    if (!fs.existsSync(this.path)) throw new DiagnosticsError('NOT_AVAILABLE', `${this.path}: no database yet (the agent has never run with this config)`);
    this.db = new Database(this.path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 2000');
    return this;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  private get conn(): Database.Database {
    if (!this.db) this.open();
    return this.db as Database.Database;
  }

  history(opts: { liftId?: string; since: number; limit: number }): HistoryRow[] {
    const rows = this.conn
      .prepare(
        `SELECT seq, payload, delivered_at FROM events
         WHERE kind = 'alarm' AND created_at >= ? AND (? IS NULL OR lift_id = ?)
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(opts.since, opts.liftId ?? null, opts.liftId ?? null, opts.limit) as Array<{ seq: number; payload: string; delivered_at: number | null }>;
    return rows.reverse().map((r) => historyRow(r.seq, JSON.parse(r.payload) as Record<string, unknown>, r.delivered_at));
  }

  activeAlarms(): AlarmRow[] {
    const rows = this.conn.prepare('SELECT last_event FROM alarms WHERE active = 1').all() as Array<{ last_event: string }>;
    return rows.map((r) => {
      const e = JSON.parse(r.last_event) as { alarmId: string; liftId: string; code: string; severity: string; occurredAt: number; floor: number | null; lifecycle: string };
      return { alarmId: e.alarmId, liftId: e.liftId, code: e.code, severity: e.severity, since: new Date(e.occurredAt).toISOString(), floor: e.floor === null ? null : (this.landings.get(e.liftId)?.[e.floor] ?? String(e.floor)), lifecycle: e.lifecycle };
    });
  }

  outboxStats(): OutboxStats {
    const db = this.conn;
    const row = db
      .prepare(
        `SELECT (SELECT count(*) FROM events WHERE delivered_at IS NULL) AS pending,
                (SELECT min(created_at) FROM events WHERE delivered_at IS NULL) AS oldest,
                (SELECT count(*) FROM events WHERE delivered_at IS NOT NULL) AS delivered`,
      )
      .get() as { pending: number; oldest: number | null; delivered: number };
    const pendingByPriority = Object.fromEntries(PRIORITY_NAMES.map((n) => [n, 0])) as Record<PriorityName, number>;
    const byPrio = db.prepare(`SELECT priority, count(*) AS n FROM events WHERE delivered_at IS NULL AND kind = 'alarm' GROUP BY priority`).all() as Array<{ priority: number; n: number }>;
    for (const r of byPrio) {
      const name = PRIORITY_NAMES[r.priority];
      if (name) pendingByPriority[name] = r.n;
    }
    const meta = new Map(
      (db.prepare(`SELECT key, value FROM meta WHERE key IN ('evictions', 'data_gaps', 'last_eviction_at')`).all() as Array<{ key: string; value: number }>).map((m) => [m.key, Number(m.value)]),
    );
    let fileBytes = 0;
    for (const f of [this.path, `${this.path}-wal`]) {
      try {
        fileBytes += fs.statSync(f).size;
      } catch {
        // no WAL
      }
    }
    return {
      pending: row.pending,
      oldestPendingAt: row.oldest,
      delivered: row.delivered,
      pendingByPriority,
      evictions: meta.get('evictions') ?? 0,
      dataGaps: meta.get('data_gaps') ?? 0,
      lastEvictionAt: meta.get('last_eviction_at') ?? null,
      fileBytes,
    };
  }
}

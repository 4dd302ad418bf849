/**
 * Reads the outbox file without the agent: opened read-only, so a technician's look can never
 * change or lock what the agent will deliver. Also used by the running agent for `history`
 * (a second, read-only connection; WAL lets it read beside the writer).
 */
import Database from 'better-sqlite3';
import type { OutboxStats } from '../ports/outbox.js';
import { prepareStats, readStats } from '../store/outbox-stats.js';
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
    // Read-only, so a file the agent has not migrated yet is read as it is: before schema v3
    // (src/store/schema.ts) the payload was a column of events.
    const version = this.conn.pragma('user_version', { simple: true }) as number;
    const split = version >= 3;
    // From schema v4 a row at or below its priority's delivered watermark is delivered even
    // while its delivered_at is still NULL (src/store/delivered-watermark.ts).
    const delivered =
      version >= 4
        ? 'COALESCE(e.delivered_at, (SELECT d.at FROM delivered_upto d WHERE d.priority = e.priority AND e.seq <= d.seq)) AS delivered_at'
        : 'e.delivered_at';
    const rows = this.conn
      .prepare(
        split
          ? `SELECT e.seq, p.payload, ${delivered} FROM events e JOIN payloads p ON p.seq = e.seq
             WHERE e.kind = 'alarm' AND e.created_at >= ? AND (? IS NULL OR e.lift_id = ?)
             ORDER BY e.seq DESC LIMIT ?`
          : `SELECT seq, payload, delivered_at FROM events
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
    return readStats(prepareStats(this.conn), this.path);
  }
}

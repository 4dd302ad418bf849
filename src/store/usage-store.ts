/**
 * Daily usage statistics per lift (EN 627-style data logging) and the database checks
 * the scheduler and the watchdog run, on a second connection to the outbox's SQLite file
 * (opened after the outbox, so the outbox chooses the file's modes). One row per lift per day,
 * kept `retentionDays`: bounded.
 */
import Database from 'better-sqlite3';
import { boundPageCache } from './schema.js';
import type { Clock } from '../ports/clock.js';

/** One lift's counts of a day, as the usage counter gathers them. */
export interface LiftUsage {
  trips: number;
  doorCycles: number;
  runningMs: number;
  /** Raised alarms by taxonomy code. */
  faults: Record<string, number>;
}

export interface UsageRow extends LiftUsage {
  day: string; // YYYY-MM-DD (the box's wall clock when stored)
  liftId: string;
  clockSynced: boolean;
}

export class UsageStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'USAGE_STORE_OPEN' | 'STORE_NOT_WRITABLE' | 'STORE_CORRUPT',
  ) {
    super(message);
    this.name = 'UsageStoreError';
  }
}

export interface UsageStoreOptions {
  /** Rows older than this many days are deleted (default 400). */
  retentionDays?: number;
  /** A write probe within this many ms of the last good one is not repeated (default 60 s). */
  probeEveryMs?: number;
  /** When the write probe last ran. */
  clock: Clock;
}

export class UsageStore {
  private lastProbeOk = -Infinity;

  private constructor(
    private readonly db: Database.Database,
    private readonly opts: UsageStoreOptions,
  ) {}

  static open(path: string, opts: UsageStoreOptions): UsageStore {
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      boundPageCache(db);
      // Statistics and the probe can lose their last commit on power loss; alarms never go here.
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS usage_daily (
          day TEXT NOT NULL,
          lift_id TEXT NOT NULL,
          trips INTEGER NOT NULL DEFAULT 0,
          door_cycles INTEGER NOT NULL DEFAULT 0,
          running_ms INTEGER NOT NULL DEFAULT 0,
          faults TEXT NOT NULL DEFAULT '{}',
          clock_synced INTEGER NOT NULL DEFAULT 1,
          PRIMARY KEY (day, lift_id)
        );
        CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
      `);
    } catch (err) {
      throw new UsageStoreError(`cannot open ${path} for usage statistics: ${(err as Error).message}`, 'USAGE_STORE_OPEN');
    }
    return new UsageStore(db, opts);
  }

  /** Adds counts to the lift's row for `day` (several runs a day add up). */
  add(day: string, liftId: string, u: LiftUsage, clockSynced: boolean): UsageRow {
    const tx = this.db.transaction((): UsageRow => {
      const prev = this.get(day, liftId);
      const faults: Record<string, number> = { ...(prev?.faults ?? {}) };
      for (const [code, n] of Object.entries(u.faults)) faults[code] = (faults[code] ?? 0) + n;
      const row: UsageRow = {
        day,
        liftId,
        trips: (prev?.trips ?? 0) + u.trips,
        doorCycles: (prev?.doorCycles ?? 0) + u.doorCycles,
        runningMs: (prev?.runningMs ?? 0) + Math.round(u.runningMs),
        faults,
        clockSynced: (prev?.clockSynced ?? true) && clockSynced,
      };
      this.db
        .prepare(
          `INSERT INTO usage_daily (day, lift_id, trips, door_cycles, running_ms, faults, clock_synced) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (day, lift_id) DO UPDATE SET trips = excluded.trips, door_cycles = excluded.door_cycles,
             running_ms = excluded.running_ms, faults = excluded.faults, clock_synced = excluded.clock_synced`,
        )
        .run(day, liftId, row.trips, row.doorCycles, row.runningMs, JSON.stringify(faults), row.clockSynced ? 1 : 0);
      return row;
    });
    const row = tx();
    this.prune(day);
    return row;
  }

  get(day: string, liftId: string): UsageRow | null {
    const r = this.db.prepare('SELECT * FROM usage_daily WHERE day = ? AND lift_id = ?').get(day, liftId) as DbRow | undefined;
    return r ? fromDb(r) : null;
  }

  rows(liftId?: string): UsageRow[] {
    const rs = (liftId
      ? this.db.prepare('SELECT * FROM usage_daily WHERE lift_id = ? ORDER BY day').all(liftId)
      : this.db.prepare('SELECT * FROM usage_daily ORDER BY day, lift_id').all()) as DbRow[];
    return rs.map(fromDb);
  }

  /** Throws STORE_NOT_WRITABLE when the file does not take a write (read-only SD card, full disk). */
  probeWrite(): void {
    const now = this.opts.clock.now().wall;
    if (now - this.lastProbeOk < (this.opts.probeEveryMs ?? 60_000) && now >= this.lastProbeOk) return;
    try {
      this.db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(now);
      this.lastProbeOk = now;
    } catch (err) {
      this.lastProbeOk = -Infinity;
      throw new UsageStoreError(`database not writable: ${(err as Error).message}`, 'STORE_NOT_WRITABLE');
    }
  }

  /** SQLite `PRAGMA quick_check`: [] when the file is sound, else the problems it lists. */
  quickCheck(): string[] {
    const out = this.db.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = out.map((r) => r.quick_check).filter((s) => s !== 'ok');
    return problems;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private prune(today: string): void {
    const days = this.opts.retentionDays ?? 400;
    const cutoff = new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
    this.db.prepare('DELETE FROM usage_daily WHERE day < ?').run(cutoff);
  }
}

interface DbRow {
  day: string;
  lift_id: string;
  trips: number;
  door_cycles: number;
  running_ms: number;
  faults: string;
  clock_synced: number;
}

function fromDb(r: DbRow): UsageRow {
  return {
    day: r.day,
    liftId: r.lift_id,
    trips: r.trips,
    doorCycles: r.door_cycles,
    runningMs: r.running_ms,
    faults: JSON.parse(r.faults) as Record<string, number>,
    clockSynced: r.clock_synced === 1,
  };
}

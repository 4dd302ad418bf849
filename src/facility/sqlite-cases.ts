/**
 * Cases kept in SQLite: every distinct step (one row per `eventId`) and, derived from them in the
 * same transaction, the case as it stands. The steps are the truth; the case row is their
 * derivation kept for reading (cases.ts), so a redelivered or reordered step can always be
 * re-derived from the steps alone.
 */
import Database from 'better-sqlite3';
import { applyEvent, deriveCase, type Case, type CaseStep, type StepOutcome } from './cases.js';
import type { EventMessage } from './contract.js';
import type { CaseStore } from './ports.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS steps (
  event_id   TEXT PRIMARY KEY,
  alarm_id   TEXT    NOT NULL,
  gateway_id TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  step       TEXT    NOT NULL -- JSON, the event as published without 'historical'
);
CREATE INDEX IF NOT EXISTS steps_by_alarm ON steps (alarm_id, seq);
CREATE TABLE IF NOT EXISTS cases (
  alarm_id   TEXT PRIMARY KEY,
  status     TEXT    NOT NULL,
  opened_at  TEXT    NOT NULL, -- ISO 8601 UTC, sorts as text
  body       TEXT    NOT NULL -- JSON Case without its steps
);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status, opened_at);
`;

export class SqliteCaseStore implements CaseStore {
  private readonly db: Database.Database;
  private readonly stepsOf: Database.Statement<[string], { step: string }>;
  private readonly insertStep: Database.Statement<[string, string, string, number, string]>;
  private readonly upsertCase: Database.Statement<[string, string, string, string]>;
  private readonly applyTx: Database.Transaction<(e: EventMessage) => { case: Case; outcome: StepOutcome }>;

  /** `path`: a file (':memory:' for a throwaway store). */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // A case step acknowledged to the broker must survive a power cut: full sync on commit.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stepsOf = this.db.prepare('SELECT step FROM steps WHERE alarm_id = ? ORDER BY seq, event_id');
    this.insertStep = this.db.prepare(
      'INSERT OR IGNORE INTO steps (event_id, alarm_id, gateway_id, seq, step) VALUES (?, ?, ?, ?, ?)',
    );
    this.upsertCase = this.db.prepare(
      `INSERT INTO cases (alarm_id, status, opened_at, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (alarm_id) DO UPDATE SET status = excluded.status, opened_at = excluded.opened_at, body = excluded.body`,
    );
    this.applyTx = this.db.transaction((e: EventMessage) => {
      const prev = this.load(e.alarmId);
      const r = applyEvent(prev, e);
      if (r.outcome === 'duplicate') return r;
      const step = r.case.steps.find((s) => s.eventId === e.eventId)!;
      this.insertStep.run(e.eventId, e.alarmId, e.gatewayId, e.seq, JSON.stringify(step));
      const { steps: _steps, ...body } = r.case;
      this.upsertCase.run(e.alarmId, r.case.status, r.case.occurredAt, JSON.stringify(body));
      return r;
    });
  }

  applyEvent(e: EventMessage): { case: Case; outcome: StepOutcome } {
    return this.applyTx.immediate(e);
  }

  get(alarmId: string): Case | undefined {
    return this.load(alarmId);
  }

  list(filter: { status?: Case['status'] } = {}): Case[] {
    const rows = filter.status
      ? this.db.prepare<[string], { alarm_id: string }>('SELECT alarm_id FROM cases WHERE status = ? ORDER BY opened_at DESC').all(filter.status)
      : this.db.prepare<[], { alarm_id: string }>("SELECT alarm_id FROM cases ORDER BY status = 'closed', opened_at DESC").all();
    return rows.map((r) => this.load(r.alarm_id)!);
  }

  close(): void {
    this.db.close();
  }

  private load(alarmId: string): Case | undefined {
    const rows = this.stepsOf.all(alarmId);
    if (rows.length === 0) return undefined;
    const steps = rows.map((r) => JSON.parse(r.step) as CaseStep);
    // Re-derived from its steps: the one place a case's fields come from.
    return deriveCase(steps);
  }
}

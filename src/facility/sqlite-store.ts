/**
 * The facility's store in SQLite: every distinct step (one row per `eventId`), the case derived
 * from them, and the action outbox, written in one transaction per delivered event. The steps are
 * the truth; a case row is their derivation kept for reading (cases.ts). An action is committed
 * before anything is sent, with a unique key, so a crash loses none and a replay doubles none.
 */
import Database from 'better-sqlite3';
import type { ActionIntent } from './actions.js';
import { applyEvent, deriveCase, type Case, type CaseStep } from './cases.js';
import type { EventMessage, HealthMessage, StatusMessage } from './contract.js';
import { toRecord, type ActionRow } from './action-row.js';
import type { ActionRecord, FacilityStore, GatewayRecord, Handled, Planner, StoreView } from './ports.js';

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
  status     TEXT NOT NULL,
  site_id    TEXT NOT NULL,
  lift_id    TEXT NOT NULL,
  opened_at  TEXT NOT NULL -- ISO 8601 UTC, sorts as text
);
CREATE INDEX IF NOT EXISTS cases_by_status ON cases (status, opened_at);
CREATE INDEX IF NOT EXISTS cases_by_lift ON cases (site_id, lift_id, status);
CREATE TABLE IF NOT EXISTS actions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  key          TEXT    NOT NULL UNIQUE,
  grp          TEXT,
  kind         TEXT    NOT NULL,
  alarm_id     TEXT    NOT NULL,
  site_id      TEXT    NOT NULL,
  lift_id      TEXT    NOT NULL,
  lift_label   TEXT    NOT NULL,
  recipient_id TEXT    NOT NULL,
  recipient    TEXT    NOT NULL, -- JSON Recipient
  created_at   INTEGER NOT NULL,
  due_at       INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER NOT NULL,
  sent_at      INTEGER,
  state        TEXT    NOT NULL DEFAULT 'pending',
  last_error   TEXT,
  reason       TEXT
);
CREATE INDEX IF NOT EXISTS actions_pending ON actions (next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS actions_by_alarm ON actions (alarm_id);
CREATE TABLE IF NOT EXISTS gateways (
  site_id    TEXT    NOT NULL,
  gateway_id TEXT    NOT NULL,
  state      TEXT    NOT NULL,
  session    INTEGER NOT NULL,
  status_at  INTEGER NOT NULL,
  health_at  INTEGER,
  health     TEXT,
  PRIMARY KEY (site_id, gateway_id)
);
CREATE TABLE IF NOT EXISTS closures (
  alarm_id  TEXT PRIMARY KEY,
  closed_by TEXT    NOT NULL,
  closed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);
CREATE INDEX IF NOT EXISTS actions_tenant ON actions (site_id, lift_id, recipient_id, kind);
`;

/** A synchronous result as a settled promise; a throw becomes a rejection, as from a network store. */
function settled<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/**
 * One instance only (a file on one machine): synchronous inside, its promises already settled.
 * A claim needs no lease here (no other instance); `claimDue` is the due actions.
 */
export class SqliteFacilityStore implements FacilityStore {
  private readonly db: Database.Database;
  private readonly view: StoreView = {
    openCasesOfLift: (siteId, liftId) => this.openCasesOfLift(siteId, liftId),
    toldOut: (siteId, liftId, tenantId) => this.toldOut(siteId, liftId, tenantId),
  };
  private readonly tx: Database.Transaction<(e: EventMessage, plan: Planner, now: number) => Handled>;

  /** `path`: a file (':memory:' for a throwaway store); `now`: wall ms, kept as the first start. */
  constructor(path: string, now: number) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // A step acknowledged to the broker, and an action planned from it, must survive a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('first_start', ?)").run(now);
    this.tx = this.db.transaction((e: EventMessage, plan: Planner, now: number): Handled => {
      const applied = applyEvent(this.caseOf(e.alarmId), e);
      if (applied.outcome === 'duplicate') return { ...applied, actions: [] };
      const r = { ...applied, case: this.overlay(applied.case) };
      const step = r.case.steps.find((s) => s.eventId === e.eventId)!;
      this.db.prepare('INSERT INTO steps (event_id, alarm_id, gateway_id, seq, step) VALUES (?, ?, ?, ?, ?)')
        .run(e.eventId, e.alarmId, e.gatewayId, e.seq, JSON.stringify(step));
      this.db.prepare(
        `INSERT INTO cases (alarm_id, status, site_id, lift_id, opened_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (alarm_id) DO UPDATE SET status = excluded.status, opened_at = excluded.opened_at`,
      ).run(e.alarmId, r.case.status, r.case.siteId, r.case.liftId, r.case.occurredAt);
      const actions = plan(r.case, e, this.view).flatMap((a) => this.commitAction(a, now));
      return { ...r, actions };
    });
  }

  handleEvent(e: EventMessage, plan: Planner, now: number): Promise<Handled> {
    return settled(() => this.tx.immediate(e, plan, now));
  }

  getCase(alarmId: string): Promise<Case | undefined> {
    return settled(() => this.caseOf(alarmId));
  }

  private caseOf(alarmId: string): Case | undefined {
    const rows = this.db.prepare<[string], { step: string }>('SELECT step FROM steps WHERE alarm_id = ? ORDER BY seq, event_id').all(alarmId);
    if (rows.length === 0) return undefined;
    return this.overlay(deriveCase(rows.map((r) => JSON.parse(r.step) as CaseStep)));
  }

  /** A case a person closed stays closed whatever steps come later. */
  private overlay(c: Case): Case {
    const closed = this.db.prepare<[string], { closed_by: string }>('SELECT closed_by FROM closures WHERE alarm_id = ?').get(c.alarmId);
    return closed && c.status === 'open' ? { ...c, status: 'closed', closedBy: closed.closed_by } : c;
  }

  closeCase(alarmId: string, by: string, now: number): Promise<Case | undefined> {
    return settled(() => this.db.transaction(() => {
      if (this.caseOf(alarmId) === undefined) return undefined;
      this.db.prepare('INSERT OR IGNORE INTO closures (alarm_id, closed_by, closed_at) VALUES (?, ?, ?)').run(alarmId, by, now);
      this.db.prepare("UPDATE cases SET status = 'closed' WHERE alarm_id = ?").run(alarmId);
      return this.caseOf(alarmId);
    })());
  }

  recentActions(limit: number): Promise<ActionRecord[]> {
    return settled(() => this.db.prepare<[number], ActionRow>('SELECT * FROM actions ORDER BY id DESC LIMIT ?').all(limit).map(toRecord));
  }

  listCases(filter: { status?: Case['status'] } = {}): Promise<Case[]> {
    const rows = filter.status
      ? this.db.prepare<[string], { alarm_id: string }>('SELECT alarm_id FROM cases WHERE status = ? ORDER BY opened_at DESC').all(filter.status)
      : this.db.prepare<[], { alarm_id: string }>("SELECT alarm_id FROM cases ORDER BY status = 'closed', opened_at DESC").all();
    return Promise.resolve(rows.map((r) => this.caseOf(r.alarm_id)!));
  }

  private openCasesOfLift(siteId: string, liftId: string): Case[] {
    return this.db.prepare<[string, string], { alarm_id: string }>("SELECT alarm_id FROM cases WHERE site_id = ? AND lift_id = ? AND status = 'open'")
      .all(siteId, liftId).map((r) => this.caseOf(r.alarm_id)!);
  }

  private toldOut(siteId: string, liftId: string, tenantId: string): boolean {
    const row = this.db.prepare<[string, string, string], { kind: string }>(
      `SELECT kind FROM actions WHERE site_id = ? AND lift_id = ? AND recipient_id = ? AND kind IN ('tenant_out', 'tenant_back')
       AND state != 'superseded' ORDER BY id DESC LIMIT 1`,
    ).get(siteId, liftId, tenantId);
    return row?.kind === 'tenant_out';
  }

  claimDue(now: number, limit: number): Promise<ActionRecord[]> {
    return settled(() => this.db.prepare<[number, number, number], ActionRow>(
      "SELECT * FROM actions WHERE state = 'pending' AND next_at <= ? AND due_at <= ? ORDER BY id LIMIT ?",
    ).all(now, now, limit).map(toRecord));
  }

  actionsOf(alarmId: string): Promise<ActionRecord[]> {
    return settled(() => this.db.prepare<[string], ActionRow>('SELECT * FROM actions WHERE alarm_id = ? ORDER BY id').all(alarmId).map(toRecord));
  }

  markSent(ids: readonly number[], at: number): Promise<void> {
    const st = this.db.prepare("UPDATE actions SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?");
    return settled(() => this.db.transaction(() => ids.forEach((id) => st.run(at, id)))());
  }

  markRetry(ids: readonly number[], error: string, nextAt: number): Promise<void> {
    const st = this.db.prepare('UPDATE actions SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?');
    return settled(() => this.db.transaction(() => ids.forEach((id) => st.run(nextAt, error, id)))());
  }

  markFailed(ids: readonly number[], error: string): Promise<void> {
    const st = this.db.prepare("UPDATE actions SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?");
    return settled(() => this.db.transaction(() => ids.forEach((id) => st.run(error, id)))());
  }

  markSuperseded(ids: readonly number[]): Promise<void> {
    const st = this.db.prepare("UPDATE actions SET state = 'superseded' WHERE id = ?");
    return settled(() => this.db.transaction(() => ids.forEach((id) => st.run(id)))());
  }

  commitActions(intents: readonly ActionIntent[], now: number): Promise<ActionRecord[]> {
    return settled(() => this.db.transaction(() => intents.flatMap((a) => this.commitAction(a, now)))());
  }

  noteStatus(s: StatusMessage, now: number): Promise<'online' | 'offline' | 'stale_offline'> {
    return settled(() => this.db.transaction((): 'online' | 'offline' | 'stale_offline' => {
      const prev = this.db.prepare<[string, string], { session: number }>('SELECT session FROM gateways WHERE site_id = ? AND gateway_id = ?')
        .get(s.site.id, s.gatewayId);
      // docs/mqtt-api.md: an `offline` whose session is lower than the last `online` is a stale will.
      if (s.state === 'offline' && prev !== undefined && s.session < prev.session) return 'stale_offline';
      this.db.prepare(
        `INSERT INTO gateways (site_id, gateway_id, state, session, status_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, gateway_id) DO UPDATE SET state = excluded.state, session = excluded.session, status_at = excluded.status_at`,
      ).run(s.site.id, s.gatewayId, s.state, s.session, now);
      return s.state;
    })());
  }

  noteHealth(h: HealthMessage, now: number): Promise<void> {
    const site = (h['site'] as { id: string }).id;
    const gw = h['gatewayId'] as string;
    this.db.prepare(
      `INSERT INTO gateways (site_id, gateway_id, state, session, status_at, health_at, health) VALUES (?, ?, 'online', ?, ?, ?, ?)
       ON CONFLICT (site_id, gateway_id) DO UPDATE SET health_at = excluded.health_at, health = excluded.health`,
    ).run(site, gw, Number(h['session'] ?? 0), now, now, JSON.stringify(h));
    return Promise.resolve();
  }

  gateways(): Promise<GatewayRecord[]> {
    return settled(() => this.db.prepare<[], { site_id: string; gateway_id: string; state: string; session: number; status_at: number; health_at: number | null; health: string | null }>(
      'SELECT * FROM gateways ORDER BY site_id, gateway_id',
    ).all().map((r) => ({
      siteId: r.site_id, gatewayId: r.gateway_id, state: r.state as GatewayRecord['state'], session: r.session,
      statusAt: r.status_at, healthAt: r.health_at, health: r.health === null ? null : (JSON.parse(r.health) as unknown),
    })));
  }

  lastTestCall(siteId: string, liftId: string): Promise<number | null> {
    const row = this.db.prepare<[string, string], { at: string | null }>(
      `SELECT max(json_extract(s.step, '$.at')) AS at FROM steps s JOIN cases c ON c.alarm_id = s.alarm_id
       WHERE c.site_id = ? AND c.lift_id = ? AND json_extract(s.step, '$.code') = 'TEST_CALL'`,
    ).get(siteId, liftId);
    return Promise.resolve(row?.at ? Date.parse(row.at) : null);
  }

  firstStart(): Promise<number> {
    return settled(() => Number(this.db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'first_start'").get()!.value));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  /**
   * Commits one intent once (its key is unique). A tenant's "back in service" that finds their
   * "out of service" for the same lift still unsent cancels both: nothing happened worth a text.
   */
  private commitAction(a: ActionIntent, now: number): ActionRecord[] {
    let state = 'pending';
    if (a.kind === 'tenant_back') {
      const pendingOut = this.db.prepare(
        `UPDATE actions SET state = 'superseded' WHERE site_id = ? AND lift_id = ? AND recipient_id = ? AND kind = 'tenant_out' AND state = 'pending'`,
      ).run(a.siteId, a.liftId, a.to.id);
      if (pendingOut.changes > 0) state = 'superseded';
    }
    const due = now + a.delayMs;
    const r = this.db.prepare(
      `INSERT OR IGNORE INTO actions (key, grp, kind, alarm_id, site_id, lift_id, lift_label, recipient_id, recipient, created_at, due_at, next_at, state, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(a.key, a.group, a.kind, a.alarmId, a.siteId, a.liftId, a.liftLabel, a.to.id, JSON.stringify(a.to), now, due, due, state, a.reason ?? null);
    if (r.changes === 0) return [];
    return [toRecord(this.db.prepare<[number | bigint], ActionRow>('SELECT * FROM actions WHERE id = ?').get(r.lastInsertRowid)!)];
  }
}

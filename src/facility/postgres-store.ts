/**
 * The facility's store in PostgreSQL, for several instances sharing the load: the same tables and
 * semantics as the SQLite store (sqlite-store.ts). Idempotent by `eventId` and by action key
 * (unique constraints, ON CONFLICT DO NOTHING); one transaction per handled event, serialized per
 * lift with `pg_advisory_xact_lock`, so two instances handling steps of one lift (a raise on one,
 * its clear on the other) never interleave; the outbox is claimed with FOR UPDATE SKIP LOCKED and
 * a lease (claimed_by, claimed_until), so each action is sent by one instance, and the claims of
 * an instance that died expire and are taken by another.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ActionIntent } from './actions.js';
import { applyEvent, deriveCase, type Case, type CaseStep } from './cases.js';
import type { EventMessage, HealthMessage, StatusMessage } from './contract.js';
import { toRecord, type ActionRow } from './action-row.js';
import type { ActionRecord, FacilityStore, GatewayRecord, Handled, Planner, StoreView } from './ports.js';
import { POSTGRES_SCHEMA } from './postgres-schema.js';

/** Milliseconds are BIGINT; read them as numbers (they stay far below 2^53). */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number) =>
    oid === INT8_OID ? (v: string) => Number(v) : (pg.types.getTypeParser(oid) as (v: string) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

type Db = pg.Pool | pg.PoolClient;

/** Advisory-lock keys: one per lift (events), one for the outbox claim. */
const LIFT_LOCK = 'liftwatch.lift:';
const CLAIM_LOCK = 'liftwatch.claim';

export class PostgresFacilityStore implements FacilityStore {
  private readonly pool: pg.Pool;
  /** This instance in the claims it holds (claimed_by). */
  readonly owner: string;

  /** `url`: postgres://…; nothing is connected until `open`. */
  constructor(url: string, opts: { owner?: string; max?: number } = {}) {
    this.owner = opts.owner ?? `facility-${randomUUID()}`;
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 4, types });
    // An idle client's error (the server restarted) must not crash the service: the pool drops it.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema when missing and records the first start (`now`, wall ms) once. */
  async open(now: number): Promise<void> {
    await this.tx(async (c) => {
      // Two instances starting together would race on CREATE TABLE IF NOT EXISTS.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('liftwatch.schema'))");
      await c.query(POSTGRES_SCHEMA);
      await c.query("INSERT INTO meta (key, value) VALUES ('first_start', $1) ON CONFLICT (key) DO NOTHING", [String(now)]);
    });
  }

  async handleEvent(e: EventMessage, plan: Planner, now: number): Promise<Handled> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${LIFT_LOCK}${e.site.id}/${e.lift.id}`]);
      const applied = applyEvent(await this.caseOf(c, e.alarmId), e);
      if (applied.outcome === 'duplicate') return { ...applied, actions: [] };
      const r = { ...applied, case: await this.overlay(c, applied.case) };
      const step = r.case.steps.find((s) => s.eventId === e.eventId)!;
      const ins = await c.query(
        'INSERT INTO steps (event_id, alarm_id, gateway_id, seq, step) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING',
        [e.eventId, e.alarmId, e.gatewayId, e.seq, JSON.stringify(step)],
      );
      // Under the lift's lock a step seen above cannot appear here; the constraint is the backstop.
      if (ins.rowCount === 0) return { ...applied, outcome: 'duplicate' as const, actions: [] };
      await c.query(
        `INSERT INTO cases (alarm_id, status, site_id, lift_id, opened_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (alarm_id) DO UPDATE SET status = excluded.status, opened_at = excluded.opened_at`,
        [e.alarmId, r.case.status, r.case.siteId, r.case.liftId, r.case.occurredAt],
      );
      const intents = plan(r.case, e, await this.viewOf(c, r.case.siteId, r.case.liftId));
      const actions: ActionRecord[] = [];
      for (const a of intents) actions.push(...(await this.commitAction(c, a, now)));
      return { ...r, actions };
    });
  }

  getCase(alarmId: string): Promise<Case | undefined> {
    return this.caseOf(this.pool, alarmId);
  }

  async listCases(filter: { status?: Case['status'] } = {}): Promise<Case[]> {
    const r = filter.status
      ? await this.pool.query<{ alarm_id: string }>('SELECT alarm_id FROM cases WHERE status = $1 ORDER BY opened_at DESC', [filter.status])
      : await this.pool.query<{ alarm_id: string }>("SELECT alarm_id FROM cases ORDER BY status = 'closed', opened_at DESC");
    const out: Case[] = [];
    for (const row of r.rows) {
      const c = await this.getCase(row.alarm_id);
      if (c) out.push(c);
    }
    return out;
  }

  closeCase(alarmId: string, by: string, now: number): Promise<Case | undefined> {
    return this.tx(async (c) => {
      const lift = await c.query<{ site_id: string; lift_id: string }>('SELECT site_id, lift_id FROM cases WHERE alarm_id = $1', [alarmId]);
      const row = lift.rows[0];
      if (row === undefined) return undefined;
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${LIFT_LOCK}${row.site_id}/${row.lift_id}`]);
      await c.query('INSERT INTO closures (alarm_id, closed_by, closed_at) VALUES ($1, $2, $3) ON CONFLICT (alarm_id) DO NOTHING', [alarmId, by, now]);
      await c.query("UPDATE cases SET status = 'closed' WHERE alarm_id = $1", [alarmId]);
      return this.caseOf(c, alarmId);
    });
  }

  async recentActions(limit: number): Promise<ActionRecord[]> {
    return (await this.pool.query<ActionRow>('SELECT * FROM actions ORDER BY id DESC LIMIT $1', [limit])).rows.map(toRecord);
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<ActionRecord[]> {
    return this.tx(async (c) => {
      // Claims are short; taken one at a time so a group is never split between two instances.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CLAIM_LOCK]);
      const due = "state = 'pending' AND next_at <= $1 AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)";
      const first = await c.query<{ id: number; grp: string | null }>(
        `SELECT id, grp FROM actions WHERE ${due} ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, limit],
      );
      if (first.rows.length === 0) return [];
      const ids = first.rows.map((r) => r.id);
      const grps = [...new Set(first.rows.flatMap((r) => (r.grp === null ? [] : [r.grp])))];
      const claimed = await c.query<ActionRow>(
        `UPDATE actions SET claimed_by = $3, claimed_until = $4
         WHERE id IN (SELECT id FROM actions WHERE ${due} AND (id = ANY($2::bigint[]) OR grp = ANY($5::text[])) FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [now, ids, this.owner, now + leaseMs, grps],
      );
      return claimed.rows.map(toRecord).sort((a, b) => a.id - b.id);
    });
  }

  async actionsOf(alarmId: string): Promise<ActionRecord[]> {
    return (await this.pool.query<ActionRow>('SELECT * FROM actions WHERE alarm_id = $1 ORDER BY id', [alarmId])).rows.map(toRecord);
  }

  async markSent(ids: readonly number[], at: number): Promise<void> {
    await this.pool.query(
      "UPDATE actions SET state = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL, claimed_until = NULL WHERE id = ANY($1::bigint[])",
      [ids, at],
    );
  }

  async markRetry(ids: readonly number[], error: string, nextAt: number): Promise<void> {
    await this.pool.query('UPDATE actions SET attempts = attempts + 1, next_at = $2, last_error = $3, claimed_until = NULL WHERE id = ANY($1::bigint[])', [ids, nextAt, error]);
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    await this.pool.query("UPDATE actions SET state = 'failed', attempts = attempts + 1, last_error = $2, claimed_until = NULL WHERE id = ANY($1::bigint[])", [ids, error]);
  }

  async markSuperseded(ids: readonly number[]): Promise<void> {
    await this.pool.query("UPDATE actions SET state = 'superseded', claimed_until = NULL WHERE id = ANY($1::bigint[])", [ids]);
  }

  commitActions(intents: readonly ActionIntent[], now: number): Promise<ActionRecord[]> {
    if (intents.length === 0) return Promise.resolve([]);
    return this.tx(async (c) => {
      const out: ActionRecord[] = [];
      for (const a of intents) {
        if (a.liftId) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${LIFT_LOCK}${a.siteId}/${a.liftId}`]);
        out.push(...(await this.commitAction(c, a, now)));
      }
      return out;
    });
  }

  noteStatus(s: StatusMessage, now: number): Promise<'online' | 'offline' | 'stale_offline'> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`liftwatch.gateway:${s.site.id}/${s.gatewayId}`]);
      const prev = await c.query<{ session: number }>('SELECT session FROM gateways WHERE site_id = $1 AND gateway_id = $2', [s.site.id, s.gatewayId]);
      // docs/mqtt-api.md: an `offline` whose session is lower than the last `online` is a stale will.
      if (s.state === 'offline' && prev.rows[0] !== undefined && s.session < prev.rows[0].session) return 'stale_offline' as const;
      await c.query(
        `INSERT INTO gateways (site_id, gateway_id, state, session, status_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, gateway_id) DO UPDATE SET state = excluded.state, session = excluded.session, status_at = excluded.status_at`,
        [s.site.id, s.gatewayId, s.state, s.session, now],
      );
      return s.state;
    });
  }

  async noteHealth(h: HealthMessage, now: number): Promise<void> {
    const site = (h['site'] as { id: string }).id;
    await this.pool.query(
      `INSERT INTO gateways (site_id, gateway_id, state, session, status_at, health_at, health) VALUES ($1, $2, 'online', $3, $4, $4, $5)
       ON CONFLICT (site_id, gateway_id) DO UPDATE SET health_at = excluded.health_at, health = excluded.health`,
      [site, h['gatewayId'] as string, Number(h['session'] ?? 0), now, JSON.stringify(h)],
    );
  }

  async gateways(): Promise<GatewayRecord[]> {
    const r = await this.pool.query<{ site_id: string; gateway_id: string; state: string; session: number; status_at: number; health_at: number | null; health: string | null }>(
      'SELECT * FROM gateways ORDER BY site_id, gateway_id',
    );
    return r.rows.map((x) => ({
      siteId: x.site_id, gatewayId: x.gateway_id, state: x.state as GatewayRecord['state'], session: x.session,
      statusAt: x.status_at, healthAt: x.health_at, health: x.health === null ? null : (JSON.parse(x.health) as unknown),
    }));
  }

  async lastTestCall(siteId: string, liftId: string): Promise<number | null> {
    const r = await this.pool.query<{ at: string | null }>(
      `SELECT max(s.step::jsonb ->> 'at') AS at FROM steps s JOIN cases c ON c.alarm_id = s.alarm_id
       WHERE c.site_id = $1 AND c.lift_id = $2 AND s.step::jsonb ->> 'code' = 'TEST_CALL'`,
      [siteId, liftId],
    );
    const at = r.rows[0]?.at;
    return at ? Date.parse(at) : null;
  }

  async firstStart(): Promise<number> {
    return Number((await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'first_start'")).rows[0]!.value);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tx<T>(f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await f(c);
      await c.query('COMMIT');
      return r;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  private async caseOf(db: Db, alarmId: string): Promise<Case | undefined> {
    const r = await db.query<{ step: string }>('SELECT step FROM steps WHERE alarm_id = $1 ORDER BY seq, event_id', [alarmId]);
    if (r.rows.length === 0) return undefined;
    return this.overlay(db, deriveCase(r.rows.map((x) => JSON.parse(x.step) as CaseStep)));
  }

  /** A case a person closed stays closed whatever steps come later. */
  private async overlay(db: Db, c: Case): Promise<Case> {
    const r = await db.query<{ closed_by: string }>('SELECT closed_by FROM closures WHERE alarm_id = $1', [c.alarmId]);
    const closed = r.rows[0];
    return closed && c.status === 'open' ? { ...c, status: 'closed', closedBy: closed.closed_by } : c;
  }

  /** The lift as the planner sees it, read inside the step's transaction (under the lift's lock). */
  private async viewOf(c: pg.PoolClient, siteId: string, liftId: string): Promise<StoreView> {
    const open: Case[] = [];
    const ids = await c.query<{ alarm_id: string }>("SELECT alarm_id FROM cases WHERE site_id = $1 AND lift_id = $2 AND status = 'open'", [siteId, liftId]);
    for (const row of ids.rows) {
      const x = await this.caseOf(c, row.alarm_id);
      if (x) open.push(x);
    }
    const told = await c.query<{ recipient_id: string; kind: string }>(
      `SELECT DISTINCT ON (recipient_id) recipient_id, kind FROM actions
       WHERE site_id = $1 AND lift_id = $2 AND kind IN ('tenant_out', 'tenant_back') AND state != 'superseded'
       ORDER BY recipient_id, id DESC`,
      [siteId, liftId],
    );
    const latest = new Map(told.rows.map((r) => [r.recipient_id, r.kind]));
    return {
      openCasesOfLift: (s, l) => (s === siteId && l === liftId ? open : []),
      toldOut: (s, l, t) => s === siteId && l === liftId && latest.get(t) === 'tenant_out',
    };
  }

  /**
   * Commits one intent once (its key is unique). A tenant's "back in service" that finds their
   * "out of service" for the same lift still unsent (and unclaimed) cancels both.
   */
  private async commitAction(c: pg.PoolClient, a: ActionIntent, now: number): Promise<ActionRecord[]> {
    let state = 'pending';
    if (a.kind === 'tenant_back') {
      const pendingOut = await c.query(
        `UPDATE actions SET state = 'superseded' WHERE site_id = $1 AND lift_id = $2 AND recipient_id = $3 AND kind = 'tenant_out' AND state = 'pending'
         AND (claimed_until IS NULL OR claimed_until <= $4)`,
        [a.siteId, a.liftId, a.to.id, now],
      );
      if ((pendingOut.rowCount ?? 0) > 0) state = 'superseded';
    }
    const due = now + a.delayMs;
    const r = await c.query<ActionRow>(
      `INSERT INTO actions (key, grp, kind, alarm_id, site_id, lift_id, lift_label, recipient_id, recipient, created_at, due_at, next_at, state, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) ON CONFLICT (key) DO NOTHING RETURNING *`,
      [a.key, a.group, a.kind, a.alarmId, a.siteId, a.liftId, a.liftLabel, a.to.id, JSON.stringify(a.to), now, due, state, a.reason ?? null],
    );
    return r.rows.map(toRecord);
  }
}

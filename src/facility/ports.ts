/**
 * What the facility side needs from the outside world, in one place. Adapters: SQLite
 * (sqlite-store.ts) for one instance, PostgreSQL (postgres-store.ts) for several sharing the load;
 * webhook and SMTP senders (webhook.ts, smtp.ts). The store is asynchronous so a network store fits.
 */
import type { ActionIntent, ActionKind, Recipient } from './actions.js';
import type { Case, StepOutcome } from './cases.js';
import type { EventMessage, HealthMessage, StatusMessage } from './contract.js';

export type ActionState = 'pending' | 'sent' | 'failed' | 'superseded';

/** An action as committed: what to send, to whom, and how far its delivery got. */
export interface ActionRecord {
  id: number;
  key: string;
  group: string | null;
  kind: ActionKind;
  alarmId: string;
  siteId: string;
  liftId: string;
  liftLabel: string;
  to: Recipient;
  createdAt: number;
  dueAt: number;
  attempts: number;
  nextAt: number;
  sentAt: number | null;
  state: ActionState;
  lastError: string | null;
  reason: string | null;
}

export interface Handled {
  case: Case;
  outcome: StepOutcome;
  /** Actions committed with this step (none for a duplicate). */
  actions: ActionRecord[];
}

/**
 * Plans a step's actions inside the store's transaction, with the store's view of the step's lift
 * as it stands inside that transaction (read before the planner runs, so the planner stays pure).
 */
export type Planner = (c: Case, step: EventMessage, view: StoreView) => ActionIntent[];

export interface StoreView {
  openCasesOfLift(siteId: string, liftId: string): Case[];
  toldOut(siteId: string, liftId: string, tenantId: string): boolean;
}

export interface FacilityStore {
  /**
   * Records one delivered event, its case and the actions it asks for, in one commit, before it
   * returns. Idempotent by `eventId` (a redelivery changes nothing) and by action key.
   */
  handleEvent(e: EventMessage, plan: Planner, now: number): Promise<Handled>;
  getCase(alarmId: string): Promise<Case | undefined>;
  /** Every case, open ones first, newest first within each. */
  listCases(filter?: { status?: Case['status'] }): Promise<Case[]>;
  /** A person closed the case from the console (a clear that will never come); null when unknown. */
  closeCase(alarmId: string, by: string, now: number): Promise<Case | undefined>;
  recentActions(limit: number): Promise<ActionRecord[]>;
  /**
   * Claims pending actions whose time has come (due and past their retry time) for this instance
   * until `now + leaseMs`: no other instance claims them before the lease ends, so each is sent by
   * one; a claim left by an instance that died expires and the action is claimed again. Whole
   * groups are claimed together (a group is one message).
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<ActionRecord[]>;
  actionsOf(alarmId: string): Promise<ActionRecord[]>;
  markSent(ids: readonly number[], at: number): Promise<void>;
  markRetry(ids: readonly number[], error: string, nextAt: number): Promise<void>;
  markFailed(ids: readonly number[], error: string): Promise<void>;
  /** Nothing to send any more (an operator call whose case was acknowledged in time). */
  markSuperseded(ids: readonly number[]): Promise<void>;
  /** Commits actions not born of an event step (hand-overs on a gateway's silence); by key, once. */
  commitActions(intents: readonly ActionIntent[], now: number): Promise<ActionRecord[]>;
  /** Records a birth or will; says whether an `offline` is the will of the current session. */
  noteStatus(s: StatusMessage, now: number): Promise<'online' | 'offline' | 'stale_offline'>;
  noteHealth(h: HealthMessage, now: number): Promise<void>;
  gateways(): Promise<GatewayRecord[]>;
  /** When the latest TEST_CALL of a lift was made (ms), or null. */
  lastTestCall(siteId: string, liftId: string): Promise<number | null>;
  /** The store's own time of first start (ms): no hand-over for silence from before it. */
  firstStart(): Promise<number>;
  close(): Promise<void>;
}

export interface GatewayRecord {
  siteId: string;
  gatewayId: string;
  state: 'online' | 'offline';
  session: number;
  statusAt: number;
  healthAt: number | null;
  health: unknown;
}

/** One message as it leaves the service: rendered, addressed, with its idempotency key. */
export interface OutgoingMessage {
  /** The same on every retry and after a restart: the receiver drops repeats by it. */
  idempotencyKey: string;
  /** The key of every action this message settles (a grouped tenant text settles several). */
  actionKeys: string[];
  kind: ActionKind;
  to: Recipient;
  subject: string;
  text: string;
  /** The case behind it (the whole case, steps included, for the CRM). */
  case: unknown;
}

export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string };

/** A way out: the SMS or CRM webhook, or e-mail. */
export interface MessageSender {
  send(m: OutgoingMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

/**
 * What the facility side needs from the outside world, in one place. Adapters: SQLite
 * (sqlite-store.ts) for one instance; webhook and SMTP senders (webhook.ts, smtp.ts).
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

/** Plans a step's actions inside the store's transaction, with the store's view of the past. */
export type Planner = (c: Case, step: EventMessage, view: StoreView) => ActionIntent[];

export interface StoreView {
  openCasesOfLift(siteId: string, liftId: string): Case[];
  toldOut(siteId: string, liftId: string, tenantId: string): boolean;
}

export interface FacilityStore extends StoreView {
  /**
   * Records one delivered event, its case and the actions it asks for, in one commit, before it
   * returns. Idempotent by `eventId` (a redelivery changes nothing) and by action key.
   */
  handleEvent(e: EventMessage, plan: Planner, now: number): Handled;
  getCase(alarmId: string): Case | undefined;
  /** Every case, open ones first, newest first within each. */
  listCases(filter?: { status?: Case['status'] }): Case[];
  /** A person closed the case from the console (a clear that will never come); null when unknown. */
  closeCase(alarmId: string, by: string, now: number): Case | undefined;
  recentActions(limit: number): ActionRecord[];
  /** Pending actions whose time has come (due and past their retry time). */
  dueActions(now: number, limit: number): ActionRecord[];
  actionsOf(alarmId: string): ActionRecord[];
  markSent(ids: readonly number[], at: number): void;
  markRetry(ids: readonly number[], error: string, nextAt: number): void;
  markFailed(ids: readonly number[], error: string): void;
  /** Nothing to send any more (an operator call whose case was acknowledged in time). */
  markSuperseded(ids: readonly number[]): void;
  /** Commits actions not born of an event step (hand-overs on a gateway's silence); by key, once. */
  commitActions(intents: readonly ActionIntent[], now: number): ActionRecord[];
  /** Records a birth or will; says whether an `offline` is the will of the current session. */
  noteStatus(s: StatusMessage, now: number): 'online' | 'offline' | 'stale_offline';
  noteHealth(h: HealthMessage, now: number): void;
  gateways(): GatewayRecord[];
  /** When the latest TEST_CALL of a lift was made (ms), or null. */
  lastTestCall(siteId: string, liftId: string): number | null;
  /** The store's own time of first start (ms): no hand-over for silence from before it. */
  firstStart(): number;
  close(): void;
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

/**
 * What a case step asks of people (pure): the tenants of the affected landings told when their
 * lift goes out of service and again when it is back, the repair company told on a major or
 * critical raise, the facility's CRM told of every step. Each intent carries an idempotency key
 * unique per recipient and purpose, so a redelivered or replayed step never sends twice; tenant
 * notices carry a group so one tenant gets one message however many lifts fail at once.
 */
import type { Case } from './cases.js';
import type { EventMessage } from './contract.js';
import type { Contact, Directory, DirectorySite, Language } from './directory-types.js';

export type ActionKind = 'tenant_out' | 'tenant_back' | 'repairer' | 'crm' | 'operator';
export type Channel = 'sms' | 'email' | 'crm';

export interface Recipient {
  id: string;
  name: string;
  channel: Channel;
  /** Phone number, e-mail address, or 'crm'. */
  address: string;
  language: Language;
}

export interface ActionIntent {
  key: string;
  /** Intents of one group due together are sent as one message (tenant notices). */
  group: string | null;
  kind: ActionKind;
  to: Recipient;
  alarmId: string;
  siteId: string;
  liftId: string;
  liftLabel: string;
  /** When it may be sent, ms after the step was handled (tenant notices wait to be grouped). */
  delayMs: number;
  /** Why a person is called (operator hand-overs). */
  reason?: string;
}

export interface ActionRules {
  /** Codes that put a lift out of service for its passengers: tenants are told. Never `info`. */
  tenantCodes: readonly string[];
  /** Severities that call the repair company. */
  repairerSeverities: readonly string[];
  /** How long a tenant notice waits for other lifts of the building to join it. */
  tenantGroupMs: number;
  crm: boolean;
  /**
   * A critical alarm not acknowledged within this calls the operator (ASME A17.1 §2.27.1 sends
   * an unacknowledged emergency call on to an alternate location after 45 s).
   */
  ackTimeoutMs: number;
}

export const DEFAULT_RULES: ActionRules = {
  tenantCodes: [
    'PASSENGER_TRAPPED', 'STOPPED_BETWEEN_FLOORS', 'SAFETY_CHAIN_OPEN_IN_TRAVEL', 'DOOR_LOCK_LOST_IN_TRAVEL',
    'SAFETY_CHAIN_OPEN', 'SAFETY_DEVICE_TRIP', 'OUT_OF_SERVICE', 'MAINS_POWER_FAILURE', 'DRIVE_FAULT', 'DOORS_WONT_OPEN',
  ],
  repairerSeverities: ['critical', 'major'],
  tenantGroupMs: 15_000,
  crm: true,
  ackTimeoutMs: 45_000,
};

export function siteOf(dir: Directory, siteId: string): DirectorySite | undefined {
  return dir.sites.find((s) => s.id === siteId);
}

/** One recipient per contact: text messages where a number is known, else e-mail. */
export function recipientOf(id: string, c: Contact & { language: Language }): Recipient | null {
  if (c.sms !== undefined) return { id, name: c.name, channel: 'sms', address: c.sms, language: c.language };
  if (c.email !== undefined) return { id, name: c.name, channel: 'email', address: c.email, language: c.language };
  return null;
}

function tenantsTold(c: Case, rules: ActionRules): boolean {
  return c.severity !== 'info' && rules.tenantCodes.includes(c.code);
}

export interface PlanInput {
  case: Case;
  step: EventMessage;
  directory: Directory;
  rules: ActionRules;
  /** Other open cases of the same lift (a lift is back only when none of them keeps it out). */
  otherOpenOnLift: readonly Case[];
  /** Whether this tenant's latest notice about this lift said it is out of service. */
  toldOut(siteId: string, liftId: string, tenantId: string): boolean;
}

export function planActions(p: PlanInput): ActionIntent[] {
  const { case: c, step, rules } = p;
  const out: ActionIntent[] = [];
  const base = { alarmId: c.alarmId, siteId: c.siteId, liftId: c.liftId, liftLabel: c.liftLabel };
  if (rules.crm) {
    out.push({ ...base, key: `crm/${c.alarmId}/${step.eventId}`, group: null, kind: 'crm', delayMs: 0, to: { id: 'crm', name: 'CRM', channel: 'crm', address: 'crm', language: 'en' } });
  }
  const site = siteOf(p.directory, c.siteId);
  if (site === undefined) return out;
  const isRaise = c.status === 'open' && step.lifecycle !== 'cleared' && step.lifecycle !== 'end_of_alarm';
  if (isRaise && rules.repairerSeverities.includes(c.severity)) {
    const to = recipientOf('repairer', site.repairer);
    // A late raise (from a gateway's backlog) waits like a tenant notice: its clear may be right
    // behind it, and an incident over before anyone could act goes to the CRM, not to a pager.
    const delayMs = step.historical ? rules.tenantGroupMs : 0;
    if (to) out.push({ ...base, key: `repairer/${c.alarmId}`, group: null, kind: 'repairer', delayMs, to });
  }
  if (isRaise && c.severity === 'critical' && !c.acknowledged) {
    const to = recipientOf('operator', site.operator);
    const reason = `not acknowledged within ${Math.round(rules.ackTimeoutMs / 1000)} s`;
    if (to) out.push({ ...base, key: `operator/${c.alarmId}/unacknowledged`, group: null, kind: 'operator', delayMs: rules.ackTimeoutMs, to, reason });
  }
  if (!tenantsTold(c, rules)) return out;
  const landings = new Set(c.landings);
  const stillOut = p.otherOpenOnLift.some((o) => o.status === 'open' && tenantsTold(o, rules));
  for (const t of site.tenants.filter((x) => landings.has(x.landing))) {
    const to = recipientOf(t.id, t);
    if (to === null) continue;
    const told = p.toldOut(c.siteId, c.liftId, t.id);
    if (isRaise && !told) {
      out.push({ ...base, key: `tenant_out/${c.alarmId}/${t.id}`, group: `tenant/${c.siteId}/${t.id}/out`, kind: 'tenant_out', delayMs: rules.tenantGroupMs, to });
    } else if (c.status === 'closed' && told && !stillOut) {
      out.push({ ...base, key: `tenant_back/${c.alarmId}/${t.id}`, group: `tenant/${c.siteId}/${t.id}/back`, kind: 'tenant_back', delayMs: rules.tenantGroupMs, to });
    }
  }
  return out;
}

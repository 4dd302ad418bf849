/**
 * One case per incident (`alarmId`), built from the lifecycle steps the gateways publish.
 *
 * Delivery is at least once and not in order (docs/mqtt-api.md: a redelivered event keeps its
 * `eventId` and `seq`; live severe events overtake a paced backlog; a late event is marked
 * `historical`). So a case is a function of the *set* of its steps, never of their arrival
 * order: steps are kept once per `eventId`, sorted by `seq`, and everything the case shows is
 * derived from that sorted set. Duplicated, reordered and late delivery therefore end in exactly
 * the state in-order delivery gives. Pure: no I/O, no clock.
 */
import type { EventMessage, Lifecycle, Severity } from './contract.js';

/** One step of a case: the event as published, without the delivery flag `historical`. */
export type CaseStep = Omit<EventMessage, 'historical'>;

export interface Case {
  alarmId: string;
  siteId: string;
  siteName: string;
  gatewayId: string;
  liftId: string;
  liftLabel: string;
  /** The landings the lift serves, whose tenants are told. */
  landings: string[];
  code: string;
  severity: Severity;
  /** `open` until the step that ends the incident arrives (see `closesCase`). */
  status: 'open' | 'closed';
  acknowledged: boolean;
  /** The lifecycle of the highest `seq` seen. */
  lastLifecycle: Lifecycle;
  floor: string | null;
  occurredAt: string;
  confirmedAt: string | null;
  clearedAt: string | null;
  /** By `seq`, one per `eventId`. */
  steps: CaseStep[];
  /** Who closed it from the console, when a person did rather than a step. */
  closedBy?: string;
}

export type StepOutcome = 'new' | 'duplicate';

/**
 * Whether a step ends the incident. A trapped passenger is ended only by an end of alarm (EN 81-28:
 * given on site by a competent person, or by a remote reset); every other code by its clear too.
 */
export function closesCase(code: string, lifecycle: Lifecycle): boolean {
  if (lifecycle === 'end_of_alarm') return true;
  return lifecycle === 'cleared' && code !== 'PASSENGER_TRAPPED';
}

function stepOf(e: EventMessage): CaseStep {
  const { historical: _late, ...step } = e;
  return step;
}

function bySeq(a: CaseStep, b: CaseStep): number {
  return a.seq - b.seq || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** The case as its steps say it is; the latest step by `seq` gives where the lift is now. */
export function deriveCase(steps: readonly CaseStep[]): Case {
  if (steps.length === 0) throw new Error('a case needs at least one step');
  const sorted = [...steps].sort(bySeq);
  const last = sorted[sorted.length - 1]!;
  const closing = sorted.find((s) => closesCase(s.code, s.lifecycle));
  const raised = sorted.find((s) => s.confirmedAt !== null);
  return {
    alarmId: last.alarmId,
    siteId: last.site.id,
    siteName: last.site.name,
    gatewayId: last.gatewayId,
    liftId: last.lift.id,
    liftLabel: last.lift.label,
    landings: [...last.landings],
    code: last.code,
    severity: last.severity,
    status: closing ? 'closed' : 'open',
    acknowledged: sorted.some((s) => s.lifecycle === 'acknowledged'),
    lastLifecycle: last.lifecycle,
    floor: last.floor,
    occurredAt: sorted[0]!.occurredAt,
    confirmedAt: raised?.confirmedAt ?? null,
    clearedAt: closing ? (closing.clearedAt ?? closing.at) : null,
    steps: sorted,
  };
}

/** Applies one delivered event to its case (undefined: the first step seen of this incident). */
export function applyEvent(prev: Case | undefined, e: EventMessage): { case: Case; outcome: StepOutcome } {
  if (prev && prev.alarmId !== e.alarmId) throw new Error(`event ${e.eventId} belongs to alarm ${e.alarmId}, not ${prev.alarmId}`);
  if (prev?.steps.some((s) => s.eventId === e.eventId)) return { case: prev, outcome: 'duplicate' };
  return { case: deriveCase([...(prev?.steps ?? []), stepOf(e)]), outcome: 'new' };
}

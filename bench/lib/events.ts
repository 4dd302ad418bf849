/**
 * Realistic outbox rows for the store and drain benchmarks: alarm events built the way the
 * agent builds them (core AlarmEvent -> eventPayload with the lift context -> event topic).
 */
import type { AlarmCode, AlarmEvent, Severity } from '../../src/core/types.js';
import type { Outbox } from '../../src/ports/outbox.js';
import { eventPayload } from '../../src/uplink/payload.js';
import { eventTopic, rootTopic } from '../../src/uplink/topics.js';

export type OutboxItem = { event: AlarmEvent; topic: string; payload: Record<string, unknown> };

const CODES: Array<[AlarmCode, Severity]> = [
  ['MAINS_POWER_FAILURE', 'major'],
  ['DOOR_CLOSE_FAULT', 'major'],
  ['CAR_LIGHT_FAILURE', 'minor'],
  ['INSPECTION_MODE', 'info'],
  ['SAFETY_CHAIN_OPEN', 'major'],
  ['OVERLOAD', 'minor'],
];

const ROOT = rootTopic('liftwatch', 'bench-site', 'bench-gw');
const LANDINGS = ['-1', '0', '1', '2', '3', '4', '5'];

/** Event number `i`: pairs (raised, cleared) share one alarmId; 16 lifts in turn. */
export function benchItem(i: number, at = 1_767_225_600_000 + i * 1000): OutboxItem {
  const pair = Math.floor(i / 2);
  const [code, severity] = CODES[pair % CODES.length] as [AlarmCode, Severity];
  const liftId = `L${(pair % 16) + 1}`;
  const raised = i % 2 === 0;
  const event: AlarmEvent = {
    alarmId: `bench-${pair.toString(36).padStart(8, '0')}`,
    lifecycle: raised ? 'raised' : 'cleared',
    code,
    severity,
    liftId,
    floor: pair % LANDINGS.length,
    occurredAt: at - 2000,
    confirmedAt: at,
    clearedAt: raised ? null : at,
    at,
    controllerCode: null,
    evidence: {
      rule: 'mainsPower = false',
      heldMs: 2000,
      signals: { mainsPower: false, moving: false, doorZone: true, floor: pair % LANDINGS.length },
    },
  };
  const payload = eventPayload(event, {
    site: { id: 'bench-site', name: 'Bench Tower' },
    gatewayId: 'bench-gw',
    lift: { id: liftId, label: `Lift ${liftId}`, landings: LANDINGS },
  });
  return { event, topic: eventTopic(ROOT, liftId), payload };
}

/** Appends events [from, from+count) in transactions of `batch` events; returns elapsed ms. */
export function fillOutbox(outbox: Outbox, from: number, count: number, batch: number): number {
  const t0 = performance.now();
  for (let i = from; i < from + count; i += batch) {
    const n = Math.min(batch, from + count - i);
    const items: OutboxItem[] = new Array(n);
    for (let k = 0; k < n; k++) items[k] = benchItem(i + k);
    outbox.append(items);
  }
  return performance.now() - t0;
}

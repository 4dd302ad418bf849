/**
 * Contract traffic for the facility benchmark: a steady district stream, and the backlog a
 * district-wide power cut leaves on every gateway (every lift's mains failure raised and cleared,
 * one lift per building still tripped when the power came back).
 */
import { randomUUID } from 'node:crypto';
import type { EventMessage, Lifecycle, Severity } from '../../src/facility/contract.js';

const LANDINGS = ['0', '1', '2', '3', '4', '5'];

function event(gw: number, lift: string, seq: number, alarmId: string, code: string, severity: Severity, lifecycle: Lifecycle, at: number, historical: boolean): EventMessage {
  const closing = lifecycle === 'cleared' || lifecycle === 'end_of_alarm';
  return {
    schema: 'liftwatch.event/1', eventId: randomUUID(), seq, alarmId, lifecycle, code, severity,
    site: { id: `b${gw}`, name: `Building ${gw}` }, gatewayId: `gw${gw}`, lift: { id: lift, label: `Lift ${lift}` },
    landings: LANDINGS, floor: '0', floorIndex: 0, occurredAt: new Date(at - 2000).toISOString(), confirmedAt: new Date(at).toISOString(),
    clearedAt: closing ? new Date(at).toISOString() : null, at: new Date(at).toISOString(), controllerCode: null, evidence: null, historical,
  };
}

/** `n` events of door faults raised and cleared across `gateways` gateways of 4 lifts. */
export function steadyStream(n: number, gateways: number): EventMessage[] {
  const out: EventMessage[] = [];
  const seq = new Array<number>(gateways).fill(0);
  const t0 = Date.now();
  for (let i = 0; out.length < n; i++) {
    const gw = i % gateways;
    const lift = 'ABCD'[Math.floor(i / gateways) % 4]!;
    const alarmId = randomUUID();
    out.push(event(gw, lift, ++seq[gw]!, alarmId, 'DOOR_CLOSE_FAULT', 'minor', 'raised', t0 + i, false));
    out.push(event(gw, lift, ++seq[gw]!, alarmId, 'DOOR_CLOSE_FAULT', 'minor', 'cleared', t0 + i + 1, false));
  }
  return out.slice(0, n);
}

/** Each gateway's backlog after a power cut, in each gateway's seq order, gateways interleaved. */
export function powerCutBacklog(gateways: number): EventMessage[][] {
  const t0 = Date.now() - 3_600_000;
  return Array.from({ length: gateways }, (_, gw) => {
    let seq = 0;
    const out: EventMessage[] = [];
    const ids = 'ABCD'.split('').map(() => randomUUID());
    'ABCD'.split('').forEach((lift, i) => out.push(event(gw, lift, ++seq, ids[i]!, 'MAINS_POWER_FAILURE', 'major', 'raised', t0, true)));
    const trip = randomUUID();
    out.push(event(gw, 'D', ++seq, trip, 'SAFETY_DEVICE_TRIP', 'major', 'raised', t0 + 60_000, true));
    'ABCD'.split('').forEach((lift, i) => out.push(event(gw, lift, ++seq, ids[i]!, 'MAINS_POWER_FAILURE', 'major', 'cleared', t0 + 120_000, true)));
    return out;
  });
}

/** The directory for `gateways` buildings of 4 lifts, two tenants per landing. */
export function districtDirectory(gateways: number) {
  return {
    sites: Array.from({ length: gateways }, (_, gw) => ({
      id: `b${gw}`,
      name: `Building ${gw}`,
      language: 'en' as const,
      lifts: 'ABCD'.split('').map((id) => ({ id, gateway: `gw${gw}`, label: `Lift ${id}`, landings: LANDINGS })),
      tenants: LANDINGS.flatMap((landing, i) => [0, 1].map((k) => ({ id: `t${i}-${k}`, name: `Tenant ${landing}/${k}`, landing, language: 'en' as const, sms: `+3906${String(gw).padStart(4, '0')}${i}${k}00` }))),
      repairer: { name: 'Repairs', sms: '+390200000009', language: 'en' as const },
      operator: { name: 'Desk', sms: '+390200000001', language: 'en' as const },
    })),
  };
}

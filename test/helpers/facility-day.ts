/**
 * A day of a district's contract traffic for the facility side's tests: several gateways, each
 * with a few lifts, each lift running into the incidents a facility sees (the weekly EN 81-28
 * test call, door faults, out of service with an acknowledgement, a trapped passenger ended on
 * site). Events are `liftwatch.event/1` payloads with per-gateway increasing `seq`, in the order
 * the gateways made them. Seeded: the same seed gives the same day.
 */
import { randomUUID } from 'node:crypto';
import type { EventMessage, Lifecycle, Severity } from '../../src/facility/contract.js';
import { Prng } from '../../src/sim/prng.js';

function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

interface Pattern {
  code: string;
  severity: Severity;
  steps: Lifecycle[];
}

const PATTERNS: Pattern[] = [
  { code: 'TEST_CALL', severity: 'info', steps: ['raised', 'cleared'] },
  { code: 'DOOR_CLOSE_FAULT', severity: 'minor', steps: ['raised', 'cleared'] },
  { code: 'DOOR_OPEN_FAULT', severity: 'minor', steps: ['raised', 'updated', 'cleared'] },
  { code: 'OUT_OF_SERVICE', severity: 'major', steps: ['raised', 'acknowledged', 'cleared'] },
  { code: 'SAFETY_CHAIN_OPEN', severity: 'major', steps: ['raised', 'cleared'] },
  { code: 'PASSENGER_TRAPPED', severity: 'critical', steps: ['raised', 'acknowledged', 'end_of_alarm'] },
  { code: 'MAINS_POWER_FAILURE', severity: 'major', steps: ['raised'] }, // still open at the day's end
];

export interface DayOptions {
  gateways: number;
  liftsPerGateway: number;
  incidentsPerLift: number;
  seed: number;
}

export function districtDay(o: DayOptions): EventMessage[] {
  const rnd = prng(o.seed);
  const start = Date.UTC(2026, 11, 1, 0, 0, 0);
  const out: EventMessage[] = [];
  for (let g = 0; g < o.gateways; g++) {
    const gatewayId = `gw${g + 1}`;
    const site = { id: `site${Math.floor(g / 2) + 1}`, name: `Building ${Math.floor(g / 2) + 1}` };
    // Every incident of the gateway as timed steps; seq follows time, per gateway.
    const steps: Array<{ t: number; make: (seq: number) => EventMessage }> = [];
    for (let l = 0; l < o.liftsPerGateway; l++) {
      const lift = { id: String.fromCharCode(65 + l), label: `Lift ${String.fromCharCode(65 + l)}` };
      const landings = ['-1', '0', '1', '2', '3', '4'].slice(0, 3 + ((g + l) % 4));
      for (let i = 0; i < o.incidentsPerLift; i++) {
        const p = PATTERNS[Math.floor(rnd() * PATTERNS.length)]!;
        const alarmId = randomUUID();
        const occurred = start + Math.floor(rnd() * 20 * 3_600_000);
        const confirmed = occurred + 300 + Math.floor(rnd() * 3000);
        const floorIndex = Math.floor(rnd() * landings.length);
        let t = confirmed;
        const endAt = confirmed + (p.code === 'TEST_CALL' ? 0 : 5_000 + Math.floor(rnd() * 3_600_000));
        for (const lifecycle of p.steps) {
          const at = lifecycle === 'raised' ? confirmed : lifecycle === 'cleared' || lifecycle === 'end_of_alarm' ? endAt : (t = Math.min(endAt, t + 1_000 + Math.floor(rnd() * 60_000)));
          const closing = lifecycle === 'cleared' || lifecycle === 'end_of_alarm';
          steps.push({
            t: at,
            make: (seq) => ({
              schema: 'liftwatch.event/1',
              eventId: randomUUID(),
              seq,
              alarmId,
              lifecycle,
              code: p.code,
              severity: p.severity,
              site,
              gatewayId,
              lift,
              landings,
              floor: landings[floorIndex]!,
              floorIndex,
              occurredAt: new Date(occurred).toISOString(),
              confirmedAt: new Date(confirmed).toISOString(),
              clearedAt: closing ? new Date(endAt).toISOString() : null,
              at: new Date(at).toISOString(),
              controllerCode: null,
              evidence: null,
              ...(lifecycle === 'end_of_alarm' ? { endOfAlarmSource: 'input' as const } : {}),
              ...(lifecycle === 'acknowledged' ? { detail: 'acknowledged by facility desk' } : {}),
              historical: false,
            }),
          });
        }
      }
    }
    steps.sort((a, b) => a.t - b.t);
    steps.forEach((s, i) => out.push(s.make(i + 1)));
  }
  return out;
}

/**
 * The same events as an unreliable path delivers them: each once to three times, in a random
 * order, redeliveries and a share of first deliveries marked `historical` (late, from the
 * gateway's buffer).
 */
export function chaoticDelivery(events: readonly EventMessage[], seed: number): EventMessage[] {
  const rnd = prng(seed);
  const copies: EventMessage[] = [];
  for (const e of events) {
    const n = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) copies.push({ ...e, historical: i > 0 || rnd() < 0.2 });
  }
  for (let i = copies.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copies[i], copies[j]] = [copies[j]!, copies[i]!];
  }
  return copies;
}

/** A directory (YAML) naming every site and lift of the day, a repairer, an operator and two tenants per site. */
export function directoryFor(day: ReturnType<typeof districtDay>): string {
  const sites = new Map<string, { name: string; lifts: Map<string, { gw: string; landings: string[] }> }>();
  for (const e of day) {
    const s = sites.get(e.site.id) ?? { name: e.site.name, lifts: new Map() };
    s.lifts.set(`${e.gatewayId}/${e.lift.id}`, { gw: e.gatewayId, landings: e.landings });
    sites.set(e.site.id, s);
  }
  // Lift ids repeat across a site's two gateways; the directory keys lifts by id per site, so
  // each site's lifts are named by id once and tenants live on the landings every lift serves.
  return 'sites:\n' + [...sites].map(([id, s]) => {
    const lifts = [...new Map([...s.lifts].map(([k, l]) => [k.split('/')[1]!, l])).entries()];
    return `  - id: ${id}\n    name: ${s.name}\n    repairer: { name: R, sms: "+390200000009" }\n    operator: { name: O, sms: "+390200000001" }\n    lifts:\n` +
      lifts.map(([lid, l]) => `      - { id: ${lid}, gateway: ${l.gw}, landings: [${l.landings.map((x) => `"${x}"`).join(', ')}] }\n`).join('') +
      `    tenants:\n      - { id: t0, name: Ground, landing: "0", sms: "+390611111110" }\n      - { id: t1, name: First, landing: "1", sms: "+390611111111" }\n`;
  }).join('');
}

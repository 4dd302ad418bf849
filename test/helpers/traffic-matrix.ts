/**
 * The normal-traffic matrix: the fault core fed by the simulator's lift model (src/sim) playing a
 * traffic profile with bounce on every contact, read through one of three wirings, polled every
 * 200 ms in simulated time. A healthy lift, however busy, must raise nothing above `info`.
 */
import type { Test } from 'tap';
import { SimulatedLift } from '../../src/sim/simulated-lift.js';
import { TRAFFIC, type TrafficName } from '../../src/sim/traffic.js';
import { TraceDriver, sequentialIds } from './trace.js';
import type { CoreConfig } from '../../src/core/engine.js';
import type { AlarmEvent } from '../../src/core/types.js';
import type { SignalName, SignalValues } from '../../src/core/signals.js';

export const POLL_MS = 200;

/**
 * What the box sees. `controller`: the full controller map (commands, calls, floor, modes).
 * `di-retrofit`: the common DI module on the contacts, without the controller's commands.
 * `minimal`: chain, door zone, running contact, alarm push, mains monitor.
 */
export const WIRINGS = {
  controller: null,
  'di-retrofit': ['safetyChain', 'doorLocked', 'doorZone', 'moving', 'doorOpenLimit', 'doorClosedLimit', 'alarmButton', 'inspection', 'mainsPower', 'endOfAlarm'],
  minimal: ['safetyChain', 'doorZone', 'moving', 'alarmButton', 'mainsPower'],
} as const satisfies Record<string, readonly SignalName[] | null>;
export type WiringName = keyof typeof WIRINGS;

function wiredValues(all: SignalValues, wiring: WiringName): SignalValues {
  const keep = WIRINGS[wiring];
  if (keep === null) return all;
  const out: Record<string, unknown> = {};
  for (const name of keep) out[name] = all[name];
  return out;
}

export interface MatrixResult {
  events: AlarmEvent[];
  trips: number;
  samples: number;
}

/** Runs `hours` of `traffic` read through `wiring`; returns every event the core emitted. */
export function runTraffic(traffic: TrafficName, wiring: WiringName, hours: number, seed = 7): MatrixResult {
  const profile = TRAFFIC[traffic];
  const lift = new SimulatedLift({ unitId: 1, landings: profile.landings, seed, traffic: profile });
  const cfg: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: POLL_MS, landings: profile.landings }], rules: {} };
  const at = (ms: number) => ({ mono: 1_000 + ms, wall: 1_800_000_000_000 + ms });
  const d = new TraceDriver(cfg, at(0), sequentialIds());
  const end = hours * 3_600_000;
  let samples = 0;
  for (let now = 0; now <= end; now += POLL_MS) {
    d.feed({ kind: 'sample', liftId: 'L1', at: at(now), values: wiredValues(lift.signals(), wiring) });
    samples++;
    lift.step(POLL_MS);
  }
  return { events: d.events(), trips: lift.model.trips, samples };
}

/** Events a facility would act on: anything above `info`. */
export function aboveInfo(events: readonly AlarmEvent[]): string[] {
  return events.filter((e) => e.severity !== 'info').map((e) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.code} ${e.lifecycle} ${e.detail ?? ''}`);
}

/** One cell of the matrix as a tap test: 24 simulated hours, nothing above `info`. */
export async function matrixCell(t: Test, traffic: TrafficName, wiring: WiringName): Promise<void> {
  const r = runTraffic(traffic, wiring, 24);
  t.ok(r.trips > 0, `${r.trips} trips in 24 h`);
  t.same(aboveInfo(r.events), [], `${traffic} read as ${wiring}: a healthy lift, however busy, raises nothing above info`);
}

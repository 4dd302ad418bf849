/**
 * Traffic profiles: how busy a simulated lift is and how its contacts behave, as data. The
 * envelope a monitor must stay silent through runs from a two-stop shuttle at its busiest
 * through an office lift's morning peak to an express car in a tower, with contact bounce on
 * every mechanical contact. Without a profile the lift keeps DEFAULT_TIMING and no bounce.
 */
import { DEFAULT_BOUNCE, type BounceSpec } from './bounce.js';
import type { CallPattern } from './call-pattern.js';
import { SimError } from './errors.js';
import type { LiftTiming } from './lift-model.js';

export const TRAFFIC_NAMES = ['shuttle', 'office-peak', 'express'] as const;
export type TrafficName = (typeof TRAFFIC_NAMES)[number];

export interface TrafficProfile {
  name: string;
  description: string;
  /** Landings served when the caller does not say. */
  landings: number;
  timing: Partial<LiftTiming>;
  calls: CallPattern;
  /** Bounce on every mechanical contact; null: contacts switch cleanly. */
  bounce: BounceSpec | null;
  /**
   * The landing and car door contacts are in the safety chain (as in most lifts): the chain
   * reads open whenever the doors are not closed and locked.
   */
  chainIncludesDoors: boolean;
}

/*
 * Every profile leaves at least 300 ms between a door contact changing and the car starting or
 * stopping (doorStartMs after arrival, minIdleMs after the lock is made), as controllers do:
 * longer than any bounce interval, so no contact reads a door-open-while-running it never had.
 */
export const TRAFFIC: Readonly<Record<TrafficName, Readonly<TrafficProfile>>> = {
  // One-floor hops between two landings: 3 s run + 0.5 s to door start + 1 s door + 2 s dwell
  // + 1 s door + 0.2 s lock + 0.3-0.8 s to the next start = 8-8.5 s a trip, 7-7.5 trips a minute.
  shuttle: {
    name: 'shuttle',
    description: 'two-stop shuttle at its busiest: one-floor hops, door 1 s, dwell 2 s, ~7.2 trips/min',
    landings: 2,
    timing: { floorTimeMs: 3000, doorTimeMs: 1000, dwellMs: 2000, reopenDwellMs: 1000, lockMs: 200, doorStartMs: 500, minIdleMs: 300, maxIdleMs: 800 },
    calls: { kind: 'random' },
    bounce: DEFAULT_BOUNCE,
    chainIncludesDoors: true,
  },
  // Up-peak: lobby to a floor and back. Mean run 5 floors x 1.5 s, 0.5 s to door start, doors
  // 2.5 s each way, dwell 3-5 s, 0.5-2.5 s to the next start: ~18.8 s a trip, ~3.2 trips a minute.
  'office-peak': {
    name: 'office-peak',
    description: "office lift's morning peak: lobby to one of 9 floors and back, door 2.5 s, dwell 3-5 s, ~3.2 trips/min",
    landings: 10,
    timing: { floorTimeMs: 1500, doorTimeMs: 2500, dwellMs: 3000, maxDwellMs: 5000, reopenDwellMs: 2000, lockMs: 300, doorStartMs: 500, minIdleMs: 500, maxIdleMs: 2500 },
    calls: { kind: 'lobby', lobby: 0, minFloors: 1 },
    bounce: DEFAULT_BOUNCE,
    chainIncludesDoors: false,
  },
  // A tower's express car: lobby to floor 12-24 and back at 1 s a floor, passing 11-23 door
  // zones on the way (each a 200 ms pulse of the vane switch), few stops.
  express: {
    name: 'express',
    description: 'express car in a tower: lobby to floor 12-24 and back, 1 s a floor, 11+ door zones passed per run',
    landings: 25,
    timing: { floorTimeMs: 1000, doorTimeMs: 3000, dwellMs: 5000, reopenDwellMs: 3000, lockMs: 300, doorStartMs: 500, minIdleMs: 5000, maxIdleMs: 20000 },
    calls: { kind: 'lobby', lobby: 0, minFloors: 12 },
    bounce: DEFAULT_BOUNCE,
    chainIncludesDoors: false,
  },
};

export function isTrafficName(name: string): name is TrafficName {
  return (TRAFFIC_NAMES as readonly string[]).includes(name);
}

export function trafficByName(name: string): TrafficProfile {
  if (!isTrafficName(name)) {
    throw new SimError('SIM_BAD_TRAFFIC', `unknown traffic profile "${name}" (expected ${TRAFFIC_NAMES.join(', ')})`, { traffic: name });
  }
  return TRAFFIC[name];
}

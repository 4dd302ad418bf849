/**
 * A safety chain tapped after the landing-door contacts (in series in the chain, EN 81-20
 * 5.11.2) opens at every stop while the door is open. With a door contact wired, SAFETY_CHAIN_OPEN
 * simply waits for the door to be shut (catalog.ts). With none wired (the minimal retrofit:
 * chain, door zone, running contact, alarm push, mains), the chain opening within
 * DOOR_OPENS_WITHIN_MS of an arrival in the door zone is presumed to be the door, for up to
 * DOOR_HELD_MAX_MS: a chain still open after that is reported (a door held or parked open that
 * long reads as an open chain on this wiring; docs/alarms.md). An opening at any other moment is
 * judged at once.
 */
import type { Tracks } from '../debounce.js';
import type { Instant } from '../types.js';
import { plus } from './alarm.js';

/** A door starts opening within this long after the car stops at a landing. */
const DOOR_OPENS_WITHIN_MS = 3_000;
/** How long a door cycle (with people holding the door) may keep a chain through the doors open. */
export const DOOR_HELD_MAX_MS = 60_000;

function noDoorContact(tracks: Tracks): boolean {
  return typeof tracks.doorClosedLimit?.value !== 'boolean' && typeof tracks.doorLocked?.value !== 'boolean' && typeof tracks.doorOpenLimit?.value !== 'boolean';
}

/** The chain's opening instant when it is presumed to be the door (see above), else null. */
function presumedSince(tracks: Tracks): Instant | null {
  const chain = tracks.safetyChain;
  const mv = tracks.moving;
  const zone = tracks.doorZone;
  if (chain?.value !== false || mv?.value !== false || mv.prev !== true || zone?.value !== true || !noDoorContact(tracks)) return null;
  const after = chain.since.mono - mv.since.mono;
  return after >= 0 && after <= DOOR_OPENS_WITHIN_MS && zone.since.mono <= mv.since.mono ? chain.since : null;
}

export function chainPresumedDoor(tracks: Tracks, at: Instant): boolean {
  const since = presumedSince(tracks);
  return since !== null && at.mono - since.mono < DOOR_HELD_MAX_MS;
}

/** When the presumption runs out (the rule must be evaluated then), or null. */
export function chainPresumptionDeadline(tracks: Tracks, lastEval: number): Instant | null {
  const since = presumedSince(tracks);
  if (since === null) return null;
  const due = plus(since, DOOR_HELD_MAX_MS);
  return due.mono > lastEval ? due : null;
}

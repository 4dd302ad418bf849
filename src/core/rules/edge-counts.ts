/**
 * Counted door and levelling events, read from debounced edges (debounce.ts keeps each
 * signal's previous value and the instant of its last commit, so an edge is counted once, at
 * its own instant, however often the lift is evaluated).
 *
 * - Reopen cycle (DOOR_CLOSE_FAULT: ">= 3 reopen cycles in 60 s"; EN 627 "cannot run because of
 *   a door-closing fault"): the door was closing and was sent open again (obstruction, light
 *   curtain, a worn safety edge). Where the door-open command is wired: the command rises while
 *   the door is off its closed limit since before that edge and not fully open. Where it is not
 *   (the common retrofit reads only contacts), from the limits: at rest, the door leaves its
 *   open limit (a closing attempt) and comes back to it without the closed limit (or, without
 *   that contact, the lock) having been made in between. Judged once the open limit has settled
 *   (chatter-model.ts), so contact bounce at the limit is never a reopen.
 * - Levelling event (LEVELLING_FAULT, docs/taxonomy.md: the car stopped out of level or relevels
 *   often, "per event, aggregated hourly"). From the signals every profile has:
 *   (a) relevel: the car starts moving inside the door zone while the door is already open
 *       (EN 81-20 5.12.1.4 allows relevelling with open doors inside the unlocking zone; doing
 *       it often means the car stops out of level: rope stretch, brake, hydraulic creep),
 *       judged once the running contact has settled, so its bounce as the car stops at a landing
 *       while the door starts opening is never a relevel;
 *   (b) the door is commanded open (without the command wired: the door leaves its closed
 *       limit) with the car stationary outside the door zone: the car stopped out of level,
 *       short of the zone, and the controller still opened.
 *   LEVELLING_FAULT is raised when `count` events fall within `windowMs` (default: the first
 *   event), later events join the same incident, and it clears when fewer than `count`
 *   remain in the window (default: after a quiet hour).
 * - In-travel latches (SAFETY_CHAIN_OPEN_IN_TRAVEL, DOOR_LOCK_LOST_IN_TRAVEL): judged once, at
 *   the edge where the chain or the lock opened: the car was running then, or it stopped in
 *   the very same poll (the drive stops at once) other than as a normal arrival (door zone and
 *   door commanded open). The latch holds until the chain / lock is seen made again.
 */
import type { AlarmEvent, IdSource, Instant } from '../types.js';
import { CHATTER_SETTLE_MS, type SignalTrack, type Tracks } from '../debounce.js';
import type { JudgedBurst } from './chatter.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm } from './alarm.js';
import type { LiftView } from '../lift-state.js';
import type { Tuning } from './tuning.js';

export interface EdgeCounts {
  reopens: readonly Instant[];
  levels: readonly Instant[];
  /** Mono instant of the last open-command / moving edge already looked at. */
  seenOpen: number;
  /** Without the door-open command: when the door last left its open limit at rest (a closing attempt), or null. */
  closingSince: number | null;
  levelling: ActiveAlarm | null;
  seenChain: number;
  seenLock: number;
  chainInTravel: boolean;
  lockInTravel: boolean;
}

export const EDGES_IDLE: EdgeCounts = {
  reopens: [], levels: [], seenOpen: -Infinity, closingSince: null, levelling: null,
  seenChain: -Infinity, seenLock: -Infinity, chainInTravel: false, lockInTravel: false,
};

function falling(tracks: Tracks, name: 'safetyChain' | 'doorLocked', seen: number): Instant | null {
  const tr = tracks[name];
  if (tr === undefined || tr.value !== false || tr.prev !== true || tr.since.mono <= seen) return null;
  return tr.since;
}

/** At a chain/lock opening edge: was the car running (or did it stop in that same poll)? */
function inTravel(view: LiftView, edge: Instant): boolean {
  const m = view.tracks?.moving;
  if (view.values.moving === true) return true;
  const stoppedNow = m !== undefined && m.prev === true && m.value === false && m.since.mono >= edge.mono;
  if (!stoppedNow) return false;
  // A lock (or a chain through the landing-door contacts, EN 81-20 5.11.2) opening as the car
  // stops at a landing with the door commanded open is a normal arrival. A chain that really
  // broke just as the car reached a landing stays open with the door shut: SAFETY_CHAIN_OPEN.
  return !(view.values.doorZone === true && view.values.doorOpenCommand !== false);
}

/**
 * An open safety circuit (the lock circuit is part of it) drops the main contactor at once
 * (EN 81-20 5.11.2): a car that ran on for this long after the chain or lock read open was not
 * stopped by it, so the reading was the tap's contact (chatter-model.ts), not the circuit.
 */
const RUN_ON_MS = 500;

function ranOn(view: LiftView, edge: number): boolean {
  const m = view.tracks?.moving;
  if (m === undefined) return false;
  if (m.value === true) return false; // still running: judged when it stops
  return m.prev === true && m.since.mono - edge >= RUN_ON_MS;
}

function latches(st: EdgeCounts, view: LiftView): EdgeCounts {
  const tracks = view.tracks ?? {};
  let next = st;
  if ((view.values.safetyChain !== false || ranOn(view, st.seenChain)) && next.chainInTravel) next = { ...next, chainInTravel: false };
  if ((view.values.doorLocked !== false || ranOn(view, st.seenLock)) && next.lockInTravel) next = { ...next, lockInTravel: false };
  const chain = falling(tracks, 'safetyChain', st.seenChain);
  if (chain !== null) next = { ...next, seenChain: chain.mono, chainInTravel: inTravel(view, chain) };
  const lock = falling(tracks, 'doorLocked', st.seenLock);
  if (lock !== null) next = { ...next, seenLock: lock.mono, lockInTravel: inTravel(view, lock) };
  return next;
}

function rising(tracks: Tracks, name: 'doorOpenCommand', seen: number): Instant | null {
  const tr = tracks[name];
  if (tr === undefined || tr.value !== true || tr.prev !== false || tr.since.mono <= seen) return null;
  return tr.since;
}

function instantOf(mono: number, at: Instant): Instant {
  return { mono, wall: at.wall - (at.mono - mono) };
}

/** The contact that says the door reached closed: the closed limit, or the lock without it. */
function closedContact(tracks: Tracks): SignalTrack | null {
  if (typeof tracks.doorClosedLimit?.value === 'boolean') return tracks.doorClosedLimit;
  if (typeof tracks.doorLocked?.value === 'boolean') return tracks.doorLocked;
  return null;
}

/**
 * Reopens read from the open limit's settled bursts (no door-open command wired). A burst that
 * left the open limit and came back is a quick reopen; one that left it starts a closing
 * attempt, and a later one that comes back to it, with the door never shut in between, ends it
 * as a reopen.
 */
function reopensFromLimits(st: EdgeCounts, tracks: Tracks, judged: readonly JudgedBurst[], at: Instant): { closingSince: number | null; found: Instant[] } {
  const closed = closedContact(tracks);
  const open = tracks.doorOpenLimit;
  let closingSince = st.closingSince;
  const found: Instant[] = [];
  if (closed === null || open === undefined) return { closingSince, found };
  for (const j of judged) {
    if (j.name !== 'doorOpenLimit') continue;
    const first = j.burst.times[0]!;
    const last = j.burst.times[j.burst.times.length - 1]!;
    const mv = tracks.moving;
    const atRest = mv === undefined || (mv.value !== true && mv.since.mono <= first);
    const nowOpen = open.value === true;
    const notShutSince = (mono: number): boolean => closed.value === false && closed.since.mono <= mono;
    if (!atRest) closingSince = null;
    else if (j.burst.from === true && nowOpen) {
      if (notShutSince(first)) found.push(instantOf(last, at));
    } else if (j.burst.from === true) closingSince = first;
    else if (nowOpen) {
      if (closingSince !== null && notShutSince(closingSince)) found.push(instantOf(last, at));
      closingSince = null;
    }
  }
  return { closingSince, found };
}

/**
 * Levelling events read from settled bursts, so that bounce never makes one: (a) the running
 * contact made from rest (a start, or a short run that is over) inside the door zone with the
 * door already open since before it; (b) the door leaving its closed limit (or, without it, the
 * lock) at rest with the car steadily outside the door zone. (b) is judged on the door, not on
 * the open command: the command comes with the stop, while the zone contact may still bounce
 * (the traffic soak over real bytes caught an express car's zone read out in that very poll).
 */
function levelsFromBursts(tracks: Tracks, judged: readonly JudgedBurst[], at: Instant): { relevels: Instant[]; openedOutside: Instant[] } {
  const relevels: Instant[] = [];
  const openedOutside: Instant[] = [];
  const closed = closedContact(tracks);
  const zone = tracks.doorZone;
  const mv = tracks.moving;
  for (const j of judged) {
    const first = j.burst.times[0]!;
    if (j.name === 'moving' && j.burst.from === false) {
      const doorOpen = closed !== null && closed.value === false && closed.since.mono <= first;
      if (zone?.value === true && zone.since.mono <= first && doorOpen) relevels.push(instantOf(first, at));
    } else if (closed !== null && j.name === closedName(tracks) && j.burst.from === true) {
      const atRest = mv === undefined || (mv.value !== true && mv.since.mono <= first);
      if (atRest && zone?.value === false && zone.since.mono <= first) openedOutside.push(instantOf(first, at));
    }
  }
  return { relevels, openedOutside };
}

function closedName(tracks: Tracks): 'doorClosedLimit' | 'doorLocked' {
  return typeof tracks.doorClosedLimit?.value === 'boolean' ? 'doorClosedLimit' : 'doorLocked';
}

function prune(list: readonly Instant[], now: number, windowMs: number): readonly Instant[] {
  const kept = list.filter((x) => now - x.mono < windowMs);
  return kept.length === list.length ? list : kept;
}

/** Looks for new edges at `at` and updates the counts and LEVELLING_FAULT. `held`: a signal involved chatters. */
export function stepEdges(
  st: EdgeCounts,
  view: LiftView,
  at: Instant,
  reopen: Tuning,
  levelling: Tuning,
  ids: IdSource,
  liftId: string,
  held: { open: boolean; move: boolean },
  judged: readonly JudgedBurst[] = [],
): { st: EdgeCounts; events: AlarmEvent[] } {
  const tracks = view.tracks ?? {};
  const v = view.values;
  const events: AlarmEvent[] = [];
  let next = latches(st, view);
  const commanded = typeof v.doorOpenCommand === 'boolean';
  if (!commanded && (judged.length > 0 || st.closingSince !== null)) {
    const r = reopensFromLimits(next, tracks, judged, at);
    if (r.closingSince !== next.closingSince) next = { ...next, closingSince: r.closingSince };
    if (r.found.length > 0 && !held.open) next = { ...next, reopens: [...next.reopens, ...r.found] };
  }
  const lv = levelsFromBursts(tracks, judged, at);
  if (lv.openedOutside.length > 0 && !held.open) next = { ...next, levels: [...next.levels, ...lv.openedOutside] };
  if (lv.relevels.length > 0 && !held.move) next = { ...next, levels: [...next.levels, ...lv.relevels] };
  const open = rising(tracks, 'doorOpenCommand', st.seenOpen);
  if (open !== null) {
    next = { ...next, seenOpen: open.mono };
    const closed = tracks.doorClosedLimit;
    const wasClosing = closed !== undefined && closed.value === false && closed.since.mono < open.mono && v.doorOpenLimit !== true;
    if (!held.open && wasClosing && v.moving !== true) next = { ...next, reopens: [...next.reopens, open] };
    // Only without a door contact to watch: the command comes with the stop, when the zone
    // contact may still be bouncing; the door itself leaves closed later (levelsFromBursts).
    const zone = tracks.doorZone;
    const outside = zone !== undefined && zone.value === false && zone.since.mono <= open.mono - CHATTER_SETTLE_MS;
    if (!held.open && outside && v.moving !== true && closedContact(tracks) === null) next = { ...next, levels: [...next.levels, open] };
  }
  const reopens = prune(next.reopens, at.mono, reopen.windowMs);
  const levels = prune(next.levels, at.mono, levelling.windowMs);
  if (reopens !== next.reopens || levels !== next.levels) next = { ...next, reopens, levels };

  const ctx = contextOf(v, view.floor);
  if (next.levelling === null && levelling.enabled && levels.length >= levelling.count && levels.length > st.levels.length) {
    const first = levels[0]!;
    const kind = lv.relevels.length > 0 && !held.move ? 'car relevelled with the door open' : 'door opened outside the door zone';
    const r = raise({
      ids, code: 'LEVELLING_FAULT', severity: levelling.severity, liftId, since: first, at, ctx,
      evidence: {
        rule: `${levels.length} levelling event(s) within ${levelling.windowMs} ms (limit ${levelling.count}); last: ${kind}`,
        heldMs: at.mono - first.mono,
        signals: pick(v, ['moving', 'doorZone', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit', 'floor']),
      },
      detail: kind,
    });
    next = { ...next, levelling: r.alarm };
    events.push(r.event);
  } else if (next.levelling !== null && levels.length < levelling.count) {
    events.push(lifecycleEvent(next.levelling, 'cleared', at, ctx, { detail: `${st.levels.length} levelling event(s) in the incident, then a quiet window` }));
    next = { ...next, levelling: null };
  }
  return { st: next, events };
}

/** Reopen cycles in the window, for Facts. */
export function reopenCount(st: EdgeCounts): number {
  return st.reopens.length;
}

export function edgesDeadline(st: EdgeCounts, reopen: Tuning, levelling: Tuning): Instant | null {
  const c: Instant[] = [];
  if (st.reopens[0]) c.push(plus(st.reopens[0], reopen.windowMs));
  if (st.levels[0]) c.push(plus(st.levels[0], levelling.windowMs));
  let best: Instant | null = null;
  for (const d of c) if (best === null || d.mono < best.mono) best = d;
  return best;
}


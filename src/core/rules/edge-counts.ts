/**
 * Counted door and levelling events, read from debounced edges (debounce.ts keeps each
 * signal's previous value and the instant of its last commit, so an edge is counted once, at
 * its own instant, however often the lift is evaluated).
 *
 * - Reopen cycle (DOOR_CLOSE_FAULT, domain.md: ">= 3 reopen cycles in 60 s"): the open command
 *   rises while the door is off its closed limit since before that edge and not fully open:
 *   the door was closing and was sent open again (obstruction, light curtain, faulty contact).
 * - Levelling event (LEVELLING_FAULT, domain.md: "stopped out of level / relevel count high",
 *   "per event, aggregated hourly"). From the signals every profile has:
 *   (a) relevel: the car starts moving inside the door zone while the door is already open
 *       (EN 81-20 5.12.1.4 allows relevelling with open doors inside the unlocking zone; doing
 *       it often means the car stops out of level: rope stretch, brake, hydraulic creep);
 *   (b) the door is commanded open with the car stationary outside the door zone: the car
 *       stopped out of level, short of the zone, and the controller still opened.
 *   LEVELLING_FAULT is raised when `count` events fall within `windowMs` (default: the first
 *   event), later events join the same incident, and it clears when fewer than `count`
 *   remain in the window (default: after a quiet hour).
 * - In-travel latches (SAFETY_CHAIN_OPEN_IN_TRAVEL, DOOR_LOCK_LOST_IN_TRAVEL): judged once, at
 *   the edge where the chain or the lock opened: the car was running then, or it stopped in
 *   the very same poll (the drive stops at once) other than as a normal arrival (door zone and
 *   door commanded open). The latch holds until the chain / lock is seen made again.
 */
import type { AlarmEvent, IdSource, Instant } from '../types.js';
import type { Tracks } from '../debounce.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm } from './alarm.js';
import type { LiftView } from '../lift-state.js';
import type { Tuning } from './tuning.js';

export interface EdgeCounts {
  reopens: readonly Instant[];
  levels: readonly Instant[];
  /** Mono instant of the last open-command / moving edge already looked at. */
  seenOpen: number;
  seenMove: number;
  levelling: ActiveAlarm | null;
  seenChain: number;
  seenLock: number;
  chainInTravel: boolean;
  lockInTravel: boolean;
}

export const EDGES_IDLE: EdgeCounts = {
  reopens: [], levels: [], seenOpen: -Infinity, seenMove: -Infinity, levelling: null,
  seenChain: -Infinity, seenLock: -Infinity, chainInTravel: false, lockInTravel: false,
};

function falling(tracks: Tracks, name: 'safetyChain' | 'doorLocked', seen: number): Instant | null {
  const tr = tracks[name];
  if (tr === undefined || tr.value !== false || tr.prev !== true || tr.since.mono <= seen) return null;
  return tr.since;
}

/** At a chain/lock opening edge: was the car running (or did it stop in that same poll)? */
function inTravel(view: LiftView, edge: Instant, lock: boolean): boolean {
  const m = view.tracks?.moving;
  if (view.values.moving === true) return true;
  const stoppedNow = m !== undefined && m.prev === true && m.value === false && m.since.mono >= edge.mono;
  if (!stoppedNow) return false;
  // A lock opening as the car stops at a landing with the door commanded open is a normal arrival.
  return !(lock && view.values.doorZone === true && view.values.doorOpenCommand !== false);
}

function latches(st: EdgeCounts, view: LiftView): EdgeCounts {
  const tracks = view.tracks ?? {};
  let next = st;
  if (view.values.safetyChain !== false && next.chainInTravel) next = { ...next, chainInTravel: false };
  if (view.values.doorLocked !== false && next.lockInTravel) next = { ...next, lockInTravel: false };
  const chain = falling(tracks, 'safetyChain', st.seenChain);
  if (chain !== null) next = { ...next, seenChain: chain.mono, chainInTravel: inTravel(view, chain, false) };
  const lock = falling(tracks, 'doorLocked', st.seenLock);
  if (lock !== null) next = { ...next, seenLock: lock.mono, lockInTravel: inTravel(view, lock, true) };
  return next;
}

function rising(tracks: Tracks, name: 'doorOpenCommand' | 'moving', seen: number): Instant | null {
  const tr = tracks[name];
  if (tr === undefined || tr.value !== true || tr.prev !== false || tr.since.mono <= seen) return null;
  return tr.since;
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
): { st: EdgeCounts; events: AlarmEvent[] } {
  const tracks = view.tracks ?? {};
  const v = view.values;
  const events: AlarmEvent[] = [];
  let next = latches(st, view);
  const open = rising(tracks, 'doorOpenCommand', st.seenOpen);
  if (open !== null) {
    next = { ...next, seenOpen: open.mono };
    const closed = tracks.doorClosedLimit;
    const wasClosing = closed !== undefined && closed.value === false && closed.since.mono < open.mono && v.doorOpenLimit !== true;
    if (!held.open && wasClosing && v.moving !== true) next = { ...next, reopens: [...next.reopens, open] };
    if (!held.open && v.doorZone === false && v.moving !== true) next = { ...next, levels: [...next.levels, open] };
  }
  const move = rising(tracks, 'moving', st.seenMove);
  if (move !== null) {
    next = { ...next, seenMove: move.mono };
    const closed = tracks.doorClosedLimit;
    const doorOpen = closed !== undefined && closed.value === false && closed.since.mono < move.mono;
    if (!held.move && v.doorZone === true && doorOpen) next = { ...next, levels: [...next.levels, move] };
  }
  const reopens = prune(next.reopens, at.mono, reopen.windowMs);
  const levels = prune(next.levels, at.mono, levelling.windowMs);
  if (reopens !== next.reopens || levels !== next.levels) next = { ...next, reopens, levels };

  const ctx = contextOf(v, view.floor);
  if (next.levelling === null && levelling.enabled && levels.length >= levelling.count && levels.length > st.levels.length) {
    const first = levels[0]!;
    const kind = move !== null && next.levels.includes(move) ? 'car relevelled with the door open' : 'door opened outside the door zone';
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


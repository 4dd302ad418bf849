/**
 * What counts toward SIGNAL_CHATTERING: a contact changing in a way the lift's operation does
 * not explain. Busy is not broken: a two-stop shuttle making six trips a minute moves its door
 * limits, lock, door zone, running contact and (where the landing-door contacts are in it) the
 * safety chain dozens of times a minute, with contact bounce at every change, and none of that
 * may count. A loose wire or a failing sensor changes when nothing else explains it.
 *
 * Changes are judged in bursts (debounce.ts `Burst`), once the contact has stayed put for
 * CHATTER_SETTLE_MS: bounce at a real transition is judged with the transition; a departure
 * and return within the settle time is one glitch. A burst still going on after
 * CHATTER_MAX_BURST_MS is judged as a glitch then: no contact bounces for seconds. A burst is
 * judged against what the rest of the lift was doing from CHATTER_SETTLE_MS before it to its end:
 *
 * - Running steadily (the `moving` contact made from the settle time before the burst to its
 *   end, even if the car stopped right after), outside the door zone: the doors are shut and locked and the safety chain is
 *   made for the whole run (EN 81-20 5.3.9, 5.11.2). Any change of a door contact or of the
 *   chain counts. Inside the door zone the doors may start opening before the car stops
 *   (pre-opening with the door contacts bridged), so door contacts there do not count.
 * - At rest (the `moving` contact released from the settle time before the burst to its end):
 *   the door zone cannot change, since the car is not moving. A door contact counts
 *   only when another door contact contradicts it: the open limit made for a moment while the
 *   closed limit (or the lock) stays made, the closed limit lost while the lock stays made, the
 *   lock lost for a moment while the closed limit stays made. Otherwise it is the door
 *   working, and a door that leaves its open limit and comes back is a reopen (DOOR_CLOSE_FAULT,
 *   rules/edge-counts.ts), never chatter. The safety chain counts when the door contacts
 *   stayed still around it; where no door contact is wired, only a brief opening counts (a
 *   door cycle that opens a chain through the landing-door contacts lasts seconds).
 * - The running contact counts when it drops and comes back within the settle time after
 *   running steadily: a car cannot stop and start again that fast.
 * - Any other contact (mains monitor, control voltage, car light, modes, alarm device fault)
 *   counts when it leaves its state and comes back within the settle time; a change that
 *   stays is that signal's own alarm.
 *
 * Limits: a contact that changes only while its context is itself changing (the car starting
 * or stopping, the doors moving) is never counted, and without the `moving` contact no door
 * zone or door contact can be judged (config check lists the missing signals per lift).
 */
import type { SignalName } from '../signals.js';
import { CHATTER_SETTLE_MS, type Burst, type SignalTrack, type Tracks } from '../debounce.js';

const DOOR_CONTACTS = ['doorOpenLimit', 'doorClosedLimit', 'doorLocked'] as const;
type DoorContact = (typeof DOOR_CONTACTS)[number];

/**
 * Held `value` from `from` through `to` (mono), whether or not it has changed since: the car was
 * running (or at rest) for the whole burst even if it stopped (or started) right after it.
 */
function heldThrough(tr: SignalTrack | undefined, value: boolean, from: number, to: number): boolean {
  if (tr === undefined) return false;
  if (tr.value === value) return tr.since.mono <= from;
  return tr.prev === value && tr.since.mono > to && (tr.prevSince ?? Infinity) <= from;
}

/** Committed at `value` no later than `mono`, and unchanged since. */
function steadyAt(tr: SignalTrack | undefined, value: boolean, mono: number): boolean {
  return tr !== undefined && tr.value === value && tr.since.mono <= mono;
}

function wired(tr: SignalTrack | undefined): boolean {
  return typeof tr?.value === 'boolean';
}

/** At rest, a door contact that another door contact contradicts. */
function contradicted(name: DoorContact, b: Burst, glitch: boolean, tracks: Tracks, before: number): boolean {
  const closedOrLocked = (mono: number): boolean =>
    wired(tracks.doorClosedLimit) ? steadyAt(tracks.doorClosedLimit, true, mono) : steadyAt(tracks.doorLocked, true, mono);
  switch (name) {
    case 'doorOpenLimit':
      return glitch && b.from === false && closedOrLocked(before);
    case 'doorClosedLimit':
      return b.from === true && steadyAt(tracks.doorLocked, true, before);
    case 'doorLocked':
      return glitch && b.from === true && steadyAt(tracks.doorClosedLimit, true, before);
  }
}

/**
 * Whether the changes of `name` in burst `b` count toward SIGNAL_CHATTERING (see above).
 * `ongoing`: the burst is judged because it has gone on too long to be bounce, not because it
 * settled; it counts as a glitch (the contact keeps leaving its state and coming back).
 */
export function unexplained(name: SignalName, b: Burst, tracks: Tracks, ongoing = false): boolean {
  const tr = tracks[name];
  const first = b.times[0];
  if (tr === undefined || first === undefined) return false;
  const now = tr.value;
  const glitch = b.from === now || ongoing;
  const before = first - CHATTER_SETTLE_MS;
  const last = b.times[b.times.length - 1] ?? first;
  const running = heldThrough(tracks.moving, true, before, last);
  const atRest = heldThrough(tracks.moving, false, before, last);
  const outsideZone = tracks.doorZone === undefined || heldThrough(tracks.doorZone, false, first, last);
  switch (name) {
    case 'doorZone':
      return atRest;
    case 'moving':
      return glitch && b.from === true && first - b.fromSince >= CHATTER_SETTLE_MS;
    case 'doorOpenLimit':
    case 'doorClosedLimit':
    case 'doorLocked':
      if (running) return outsideZone;
      return atRest && contradicted(name, b, glitch, tracks, before);
    case 'safetyChain': {
      if (running) return true;
      if (!atRest) return false;
      const doors = DOOR_CONTACTS.filter((d) => wired(tracks[d]));
      if (doors.length > 0) return doors.every((d) => tracks[d]!.since.mono <= before);
      return glitch && b.from === true;
    }
    default:
      return glitch;
  }
}

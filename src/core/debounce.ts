/**
 * Per-signal debounce with separate rise/fall hold times (pure; time arrives as `Instant`).
 *
 * A raw value that differs from the stable value becomes a candidate; it is committed once it
 * has been seen continuously for its hold time, at exactly `candidate.since + hold`, so the
 * result does not depend on when the driver happens to tick. A bounce back cancels it.
 *
 * Each track also records the instants of its committed (debounced) flips, for chatter
 * detection (rules/chatter.ts, issue 3), and the value before the last commit, so rules can
 * tell an edge that happened while the car was running from one that happened at rest.
 *
 * Chatter counts debounced flips, not raw ones: contact bounce (milliseconds) is the debounce
 * hold's job; chatter is a contact that keeps changing state for real (seconds), e.g. a loose
 * wire. Signals that change with normal travel or by hand are not counted (CHATTER_EXEMPT).
 */
import { SIGNAL_NAMES, type SignalName, type SignalValues } from './signals.js';
import type { Instant } from './types.js';
import { DEFAULT_HOLD, type HoldTimes } from './defaults.js';

export type SignalValue = SignalValues[SignalName];

export interface SignalTrack {
  /** Debounced (stable) value. */
  value: SignalValue;
  /** When the stable value was committed. */
  since: Instant;
  /** Last raw value seen. */
  raw: SignalValue;
  candidate: { value: SignalValue; since: Instant } | null;
  /** Mono times of committed flips (pruned to the chatter window by rules/chatter.ts). */
  flips: number[];
  /** Marked by rules/chatter.ts: N flips within the window, not yet calm again. */
  chattering: boolean;
  /** The stable value before the last commit (equal to `value` after a rebuild: no edge). */
  prev?: SignalValue;
}

/**
 * Signals never counted as chattering: the alarm and end-of-alarm pushes are operated by people
 * (a trapped passenger hammering the button must never be silenced, EN 81-28), and the
 * registered call and door-open command are controller logic, not contacts (a door sent open
 * again and again is DOOR_CLOSE_FAULT's reopen count, not chatter).
 */
export const CHATTER_EXEMPT: ReadonlySet<SignalName> = new Set<SignalName>(['alarmButton', 'endOfAlarm', 'callRegistered', 'doorOpenCommand']);

/**
 * Whether a committed flip counts toward chatter. Flips the lift's own operation explains are
 * not counted: doorZone while the car runs (it passes the unlocking zone of every landing,
 * EN 81-20 3.42), and a door limit or lock moving the way the door-open command drives it (open
 * limit made / closed limit and lock lost while commanded open, and the reverse while commanded
 * closed). A door contact that changes against the command - the open limit dropping out during
 * the dwell, the lock flickering at rest - is counted. Without a command signal, every flip counts.
 */
function countsAsFlip(name: SignalName, tr: SignalTrack, next: SignalValue, tracks: Tracks): boolean {
  if (typeof next !== 'boolean' || typeof tr.value !== 'boolean' || CHATTER_EXEMPT.has(name)) return false;
  if (name === 'doorZone' && (tracks.moving?.value === true || tracks.moving?.raw === true)) return false;
  const cmd = tracks.doorOpenCommand?.value;
  if (typeof cmd === 'boolean') {
    if (name === 'doorOpenLimit' && next === cmd) return false;
    if ((name === 'doorClosedLimit' || name === 'doorLocked') && next === !cmd) return false;
  }
  return true;
}

export type Tracks = Readonly<Partial<Record<SignalName, SignalTrack>>>;

export type HoldLookup = (name: SignalName) => HoldTimes;

export function holdLookup(overrides: Partial<Record<SignalName, Partial<HoldTimes>>> | undefined,
  defaults: Partial<Record<SignalName, HoldTimes>>): HoldLookup {
  // Memoized per signal: the lookup runs for every signal of every track scan (issue 7).
  const memo = new Map<SignalName, HoldTimes>();
  return (name) => {
    let h = memo.get(name);
    if (h === undefined) memo.set(name, (h = Object.freeze({ ...DEFAULT_HOLD, ...defaults[name], ...overrides?.[name] })));
    return h;
  };
}

function holdFor(hold: HoldTimes, value: SignalValue): number {
  if (value === undefined) return 0; // a signal that disappears is not debounced
  if (value === false) return hold.fallMs;
  return hold.riseMs; // true, or any change of a numeric/enum signal
}

function later(at: Instant, ms: number): Instant {
  return { mono: at.mono + ms, wall: at.wall + ms };
}

/**
 * Fresh tracks from one sample, with no hold: used at the first sample and on link recovery.
 * On recovery the chatter history of `prev` is kept (a loose contact stays reported across a
 * link loss); values come with no edge (`prev` = value).
 */
export function rebuild(values: SignalValues, at: Instant, prev?: Tracks): Tracks {
  const out: Partial<Record<SignalName, SignalTrack>> = {};
  for (const name of SIGNAL_NAMES) {
    const v = values[name];
    const old = prev?.[name];
    out[name] = { value: v, since: at, raw: v, candidate: null, flips: old?.flips ?? [], chattering: old?.chattering ?? false, prev: v };
  }
  return out;
}

/** Feeds one raw sample; returns new tracks (unchanged tracks keep their identity). */
export function observe(tracks: Tracks, values: SignalValues, at: Instant, holds: HoldLookup): Tracks {
  // Copied only when a track changes: a sample equal to the last one (most of them, at a poll
  // every 50 ms) keeps the tracks' identity, so everything memoized on them stays valid (issue 7).
  let out: Partial<Record<SignalName, SignalTrack>> | null = null;
  for (const name of SIGNAL_NAMES) {
    const raw = values[name];
    const tr = tracks[name];
    if (!tr) {
      out ??= { ...tracks };
      out[name] = { value: raw, since: at, raw, candidate: null, flips: [], chattering: false, prev: raw };
      continue;
    }
    if (raw === tr.raw && (tr.candidate === null || tr.candidate.value === raw)) continue;
    let candidate = tr.candidate;
    if (raw === tr.value) candidate = null;
    else if (candidate === null || candidate.value !== raw) candidate = { value: raw, since: at };
    out ??= { ...tracks };
    out[name] = { ...tr, raw, candidate };
  }
  return commitDue(out ?? tracks, at, holds);
}

/** Commits every candidate whose hold has elapsed by `at`. */
export function commitDue(tracks: Tracks, at: Instant, holds: HoldLookup): Tracks {
  let out: Partial<Record<SignalName, SignalTrack>> | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (!tr || tr.candidate === null) continue;
    const hold = holdFor(holds(name), tr.candidate.value);
    if (tr.candidate.since.mono + hold > at.mono) continue;
    out ??= { ...tracks };
    const since = later(tr.candidate.since, hold);
    const flips = countsAsFlip(name, tr, tr.candidate.value, tracks) ? [...tr.flips, since.mono] : tr.flips;
    out[name] = { ...tr, value: tr.candidate.value, since, candidate: null, prev: tr.value, flips };
  }
  return out ?? tracks;
}

/** The earliest instant at which a candidate will be committed, or null. */
export function nextDue(tracks: Tracks, holds: HoldLookup): Instant | null {
  let best: Instant | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (!tr || tr.candidate === null) continue;
    const due = later(tr.candidate.since, holdFor(holds(name), tr.candidate.value));
    if (best === null || due.mono < best.mono) best = due;
  }
  return best;
}

/** The debounced values. */
export function stableValues(tracks: Tracks): SignalValues {
  const out: Record<string, SignalValue> = {};
  for (const name of SIGNAL_NAMES) {
    const v = tracks[name]?.value;
    if (v !== undefined) out[name] = v;
  }
  return out as SignalValues;
}

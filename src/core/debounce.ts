/**
 * Per-signal debounce with separate rise/fall hold times (pure; time arrives as `Instant`).
 *
 * A raw value that differs from the stable value becomes a candidate; it is committed once it
 * has been seen continuously for its hold time, at exactly `candidate.since + hold`, so the
 * result does not depend on when the driver happens to tick. A bounce back cancels it.
 *
 * Each track also records its committed changes in bursts, to be judged for chatter once the
 * contact has settled (rules/chatter-model.ts), and the value before the last commit, so rules
 * can tell an edge that happened while the car was running from one that happened at rest.
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
  /**
   * Mono times of the committed changes that the lift's operation does not explain, counted
   * toward SIGNAL_CHATTERING (rules/chatter.ts; pruned to its window).
   */
  flips: number[];
  /** Changes committed and not yet judged (see Burst). */
  bursts: readonly Burst[];
  /** Marked by rules/chatter.ts: N unexplained changes within the window, not yet calm again. */
  chattering: boolean;
  /** The stable value before the last commit (equal to `value` after a rebuild: no edge). */
  prev?: SignalValue;
  /** Mono instant `prev` was committed at (absent after a rebuild). */
  prevSince?: number;
}

/**
 * Signals whose changes are never judged for chatter: the alarm and end-of-alarm pushes are
 * operated by people (a trapped passenger hammering the button must never be silenced,
 * EN 81-28), the registered call and door-open command are controller logic, not contacts
 * (a door sent open again and again is DOOR_CLOSE_FAULT's reopen count), and overload follows
 * people stepping in and out.
 */
export const CHATTER_EXEMPT: ReadonlySet<SignalName> = new Set<SignalName>(['alarmButton', 'endOfAlarm', 'callRegistered', 'doorOpenCommand', 'overload']);

/**
 * How long a contact must stay put before its last change is judged (rules/chatter-model.ts):
 * changes closer together than this form one burst, so contact bounce at a real transition is
 * judged with the transition, and a brief departure and return is judged as one glitch.
 */
export const CHATTER_SETTLE_MS = 500;

/**
 * A burst still going on after this long is judged without waiting for it to settle: no
 * contact bounces for seconds, and a contact flickering faster than the settle time must still
 * be reported (the next change then starts a new burst).
 */
export const CHATTER_MAX_BURST_MS = 2_000;

/**
 * Committed changes of one contact close together in time (each within CHATTER_SETTLE_MS of
 * the one before), waiting to be judged once the contact has settled. `from` is the value
 * before the burst and `fromSince` when that value was committed; the value after the burst
 * is the track's `value`.
 */
export interface Burst {
  from: SignalValue;
  fromSince: number;
  /** Mono instants of the burst's committed changes, oldest first. */
  times: readonly number[];
}

function addToBursts(tr: SignalTrack, at: number): readonly Burst[] {
  const last = tr.bursts[tr.bursts.length - 1];
  const lastAt = last?.times[last.times.length - 1];
  if (last !== undefined && lastAt !== undefined && at - lastAt < CHATTER_SETTLE_MS) {
    return [...tr.bursts.slice(0, -1), { ...last, times: [...last.times, at] }];
  }
  return [...tr.bursts, { from: tr.value, fromSince: tr.since.mono, times: [at] }];
}

function judged(name: SignalName, tr: SignalTrack, next: SignalValue): boolean {
  return typeof next === 'boolean' && typeof tr.value === 'boolean' && !CHATTER_EXEMPT.has(name);
}

export type Tracks = Readonly<Partial<Record<SignalName, SignalTrack>>>;

export type HoldLookup = (name: SignalName) => HoldTimes;

export function holdLookup(overrides: Partial<Record<SignalName, Partial<HoldTimes>>> | undefined,
  defaults: Partial<Record<SignalName, HoldTimes>>): HoldLookup {
  // Memoized per signal: the lookup runs for every signal of every track scan, a hot path of the
  // field-bus benchmark (docs/performance.md).
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
    out[name] = { value: v, since: at, raw: v, candidate: null, flips: old?.flips ?? [], bursts: [], chattering: old?.chattering ?? false, prev: v };
  }
  return out;
}

/** The track already holds this raw value (and no candidate for another): observe leaves it. */
function holdsRaw(tr: SignalTrack, raw: SignalValue): boolean {
  return raw === tr.raw && (tr.candidate === null || tr.candidate.value === raw);
}

/**
 * True when `observe(tracks, values, at, holds)` would return `tracks` itself, without building
 * the copy observe makes when it would not: the unchanged-sample shortcut asks this of every new
 * values object, and for a changed sample the copy was made twice, once here and once by the
 * full evaluation (samejob benchmark: the spread of the tracks took V8's slow clone path).
 */
export function leavesTracks(tracks: Tracks, values: SignalValues, at: Instant, holds: HoldLookup): boolean {
  for (const name of SIGNAL_NAMES) {
    const raw = values[name];
    const tr = tracks[name];
    if (!tr || !holdsRaw(tr, raw)) return false;
  }
  return commitDue(tracks, at, holds) === tracks; // nothing due: commitDue copies nothing
}

/** Feeds one raw sample; returns new tracks (unchanged tracks keep their identity). */
export function observe(tracks: Tracks, values: SignalValues, at: Instant, holds: HoldLookup): Tracks {
  // Copied only when a track changes: a sample equal to the last one (most of them, at a poll
  // every 50 ms) keeps the tracks' identity, so everything memoized on them stays valid (the
  // field-bus benchmark, docs/performance.md).
  let out: Partial<Record<SignalName, SignalTrack>> | null = null;
  for (const name of SIGNAL_NAMES) {
    const raw = values[name];
    const tr = tracks[name];
    if (!tr) {
      out ??= { ...tracks };
      out[name] = { value: raw, since: at, raw, candidate: null, flips: [], bursts: [], chattering: false, prev: raw };
      continue;
    }
    if (holdsRaw(tr, raw)) continue;
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
    const bursts = judged(name, tr, tr.candidate.value) ? addToBursts(tr, since.mono) : tr.bursts;
    out[name] = { ...tr, value: tr.candidate.value, since, candidate: null, prev: tr.value, prevSince: tr.since.mono, bursts };
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
  return out;
}

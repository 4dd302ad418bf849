/**
 * Per-signal debounce with separate rise/fall hold times (pure; time arrives as `Instant`).
 *
 * A raw value that differs from the stable value becomes a candidate; it is committed once it
 * has been seen continuously for its hold time, at exactly `candidate.since + hold`, so the
 * result does not depend on when the driver happens to tick. A bounce back cancels it.
 *
 * Each track also records its raw flips inside CHATTER_WINDOW_MS and carries a `chattering`
 * flag, so SIGNAL_CHATTERING (issue 3: N flips in a window => signal marked chattering and
 * its alarms held) can be added here without changing the shape of the state.
 */
import { SIGNAL_NAMES, type SignalName, type SignalValues } from './signals.js';
import type { Instant } from './types.js';
import { CHATTER_WINDOW_MS, DEFAULT_HOLD, type HoldTimes } from './defaults.js';

export type SignalValue = SignalValues[SignalName];

export interface SignalTrack {
  /** Debounced (stable) value. */
  value: SignalValue;
  /** When the stable value was committed. */
  since: Instant;
  /** Last raw value seen. */
  raw: SignalValue;
  candidate: { value: SignalValue; since: Instant } | null;
  /** Mono times of raw flips inside CHATTER_WINDOW_MS (for issue 3). */
  flips: number[];
  /** Reserved for issue 3; always false for now. */
  chattering: boolean;
}

export type Tracks = Readonly<Partial<Record<SignalName, SignalTrack>>>;

export type HoldLookup = (name: SignalName) => HoldTimes;

export function holdLookup(overrides: Partial<Record<SignalName, Partial<HoldTimes>>> | undefined,
  defaults: Partial<Record<SignalName, HoldTimes>>): HoldLookup {
  return (name) => ({ ...DEFAULT_HOLD, ...defaults[name], ...overrides?.[name] });
}

function holdFor(hold: HoldTimes, value: SignalValue): number {
  if (value === undefined) return 0; // a signal that disappears is not debounced
  if (value === false) return hold.fallMs;
  return hold.riseMs; // true, or any change of a numeric/enum signal
}

function later(at: Instant, ms: number): Instant {
  return { mono: at.mono + ms, wall: at.wall + ms };
}

/** Fresh tracks from one sample, with no hold: used at the first sample and on link recovery. */
export function rebuild(values: SignalValues, at: Instant): Tracks {
  const out: Partial<Record<SignalName, SignalTrack>> = {};
  for (const name of SIGNAL_NAMES) {
    const v = values[name];
    out[name] = { value: v, since: at, raw: v, candidate: null, flips: [], chattering: false };
  }
  return out;
}

/** Feeds one raw sample; returns new tracks (unchanged tracks keep their identity). */
export function observe(tracks: Tracks, values: SignalValues, at: Instant, holds: HoldLookup): Tracks {
  const out: Partial<Record<SignalName, SignalTrack>> = { ...tracks };
  for (const name of SIGNAL_NAMES) {
    const raw = values[name];
    const tr = tracks[name];
    if (!tr) {
      out[name] = { value: raw, since: at, raw, candidate: null, flips: [], chattering: false };
      continue;
    }
    if (raw === tr.raw && (tr.candidate === null || tr.candidate.value === raw)) continue;
    const flips = raw === tr.raw ? tr.flips : pruneFlips([...tr.flips, at.mono], at.mono);
    let candidate = tr.candidate;
    if (raw === tr.value) candidate = null;
    else if (candidate === null || candidate.value !== raw) candidate = { value: raw, since: at };
    out[name] = { ...tr, raw, candidate, flips };
  }
  return commitDue(out, at, holds);
}

function pruneFlips(flips: number[], now: number): number[] {
  return flips.filter((m) => now - m < CHATTER_WINDOW_MS);
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
    out[name] = { ...tr, value: tr.candidate.value, since: later(tr.candidate.since, hold), candidate: null };
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

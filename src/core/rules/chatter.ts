/**
 * SIGNAL_CHATTERING (docs/alarms.md: a contact changes N times within a window in ways the
 * lift's operation does not explain: a loose contact, a failing sensor; reported once, its
 * alarms held; N = 10 in 60 s).
 *
 * - Committed changes are judged in bursts once the contact has settled (chatter-model.ts);
 *   the changes of a burst the lift's operation does not explain are counted at their own
 *   commit instants, and the signal is marked chattering when the Nth counted change within
 *   windowMs is judged (at most CHATTER_SETTLE_MS after it).
 * - One SIGNAL_CHATTERING incident per signal, naming it (detail, evidence.signals).
 * - It is calm again once it has not flipped for a whole window; the alarm then clears.
 * - While a signal chatters, every condition rule that reads it is held: no raise, no clear
 *   (rules/lift.ts). The alarm button is never counted (see debounce.CHATTER_EXEMPT).
 */
import type { SignalName } from '../signals.js';
import { SIGNAL_NAMES } from '../signals.js';
import type { AlarmEvent, IdSource, Instant } from '../types.js';
import { CHATTER_MAX_BURST_MS, CHATTER_SETTLE_MS, type Burst, type SignalTrack, type Tracks } from '../debounce.js';
import { unexplained } from './chatter-model.js';
import { lifecycleEvent, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export type ChatterAlarms = Readonly<Partial<Record<SignalName, ActiveAlarm>>>;

/** A burst judged at this step, handed to the rules that read door movements (edge-counts.ts). */
export interface JudgedBurst {
  name: SignalName;
  burst: Burst;
  counted: boolean;
}

/** When a burst is judged: once settled, or once it has gone on for CHATTER_MAX_BURST_MS. */
function settledAt(b: Burst): number {
  const first = b.times[0] ?? -Infinity;
  const last = b.times[b.times.length - 1] ?? -Infinity;
  return Math.min(last + CHATTER_SETTLE_MS, first + CHATTER_MAX_BURST_MS);
}

/** Judges every burst that has settled by `at`: returns the tracks without them, with counted changes added to `flips`. */
function judgeBursts(tracks: Tracks, at: Instant, judgedOut: JudgedBurst[]): Tracks {
  let out: Partial<Record<SignalName, SignalTrack>> | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (tr === undefined || tr.bursts.length === 0 || settledAt(tr.bursts[0]!) > at.mono) continue;
    const keep: Burst[] = [];
    let flips = tr.flips;
    for (const b of tr.bursts) {
      if (settledAt(b) > at.mono) {
        keep.push(b);
        continue;
      }
      const ongoing = (b.times[b.times.length - 1] ?? -Infinity) + CHATTER_SETTLE_MS > at.mono;
      const counted = unexplained(name, b, out ?? tracks, ongoing);
      if (counted) flips = [...flips, ...b.times];
      judgedOut.push({ name, burst: b, counted });
    }
    out ??= { ...tracks };
    out[name] = { ...tr, bursts: keep, flips };
  }
  return out ?? tracks;
}

function recent(flips: readonly number[], now: number, windowMs: number): number[] {
  return flips.filter((m) => m <= now && now - m < windowMs);
}

/** Updates every track's chatter mark at `at`; returns new tracks/alarms (identity kept when unchanged). */
export function stepChatter(
  input: Tracks,
  alarms: ChatterAlarms,
  at: Instant,
  tuning: Tuning,
  ids: IdSource,
  liftId: string,
  ctx: EventContext,
): { tracks: Tracks; alarms: ChatterAlarms; events: AlarmEvent[]; judged: JudgedBurst[] } {
  const events: AlarmEvent[] = [];
  const judged: JudgedBurst[] = [];
  const tracks = judgeBursts(input, at, judged);
  let outTracks: Partial<Record<SignalName, SignalTrack>> | null = null;
  let outAlarms: Partial<Record<SignalName, ActiveAlarm>> | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (tr === undefined || (tr.flips.length === 0 && !tr.chattering)) continue;
    const flips = recent(tr.flips, at.mono, tuning.windowMs);
    let chattering = tr.chattering;
    const last = tr.flips[tr.flips.length - 1];
    if (!tuning.enabled) chattering = false;
    else if (!chattering && flips.length >= tuning.count) chattering = true;
    else if (chattering && (last === undefined || at.mono - last >= tuning.windowMs)) chattering = false;
    // Keep the last flip while chattering: calm is measured from it.
    const kept = chattering && flips.length === 0 && last !== undefined ? [last] : flips;
    if (chattering !== tr.chattering || kept.length !== tr.flips.length) {
      outTracks ??= { ...tracks };
      outTracks[name] = { ...tr, flips: kept, chattering };
    }
    const active = alarms[name];
    if (chattering && active === undefined && tuning.enabled) {
      const first = flips[0] ?? at.mono;
      const { alarm, event } = raise({
        ids, code: 'SIGNAL_CHATTERING', severity: tuning.severity, liftId,
        since: { mono: first, wall: at.wall - (at.mono - first) }, at, ctx,
        evidence: {
          rule: `${name} changed ${flips.length} times within ${tuning.windowMs} ms in ways the lift's operation does not explain (limit ${tuning.count}); its alarms are held`,
          heldMs: at.mono - first,
          signals: { [name]: tr.value },
        },
        detail: `signal ${name} is chattering`,
      });
      outAlarms ??= { ...alarms };
      outAlarms[name] = alarm;
      events.push(event);
    } else if (!chattering && active !== undefined) {
      outAlarms ??= { ...alarms };
      delete outAlarms[name];
      const quiet = last === undefined ? tuning.windowMs : at.mono - last;
      events.push(lifecycleEvent(active, 'cleared', at, ctx, { detail: `signal ${name} calm for ${quiet} ms` }));
    }
  }
  return { tracks: outTracks ?? tracks, alarms: outAlarms ?? alarms, events, judged };
}

/** When the next burst settles or the next chattering signal becomes calm (no counted change for a whole window), or null. */
export function chatterDeadline(tracks: Tracks, tuning: Tuning): Instant | null {
  let best: Instant | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (tr === undefined) continue;
    const b = tr.bursts[0];
    if (b !== undefined) {
      const due = plus(tr.since, settledAt(b) - tr.since.mono);
      if (best === null || due.mono < best.mono) best = due;
    }
    if (!tr.chattering) continue;
    const last = tr.flips[tr.flips.length - 1];
    if (last === undefined) continue;
    const due = plus(tr.since, last - tr.since.mono + tuning.windowMs);
    if (best === null || due.mono < best.mono) best = due;
  }
  return best;
}

export function isChattering(tracks: Tracks, names: readonly SignalName[]): boolean {
  // A loop, not names.some(closure): this runs for every rule of every evaluation and deadline
  // scan, and the closure was the core's largest allocation per changed sample (samejob benchmark).
  for (const n of names) if (tracks[n]?.chattering === true) return true;
  return false;
}

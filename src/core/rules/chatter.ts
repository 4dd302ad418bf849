/**
 * SIGNAL_CHATTERING (domain.md taxonomy: "a signal flips N times within a window (loose
 * contact, failing sensor): reported once, its alarms held"; N = 10 in 60 s).
 *
 * - A signal is marked chattering at the instant of its Nth debounced flip within windowMs
 *   (flips are recorded by debounce.ts at their commit instants, so the onset is exact).
 * - One SIGNAL_CHATTERING incident per signal, naming it (detail, evidence.signals).
 * - It is calm again once it has not flipped for a whole window; the alarm then clears.
 * - While a signal chatters, every condition rule that reads it is held: no raise, no clear
 *   (rules/lift.ts). The alarm button is never counted (see debounce.CHATTER_EXEMPT).
 */
import type { SignalName } from '../signals.js';
import { SIGNAL_NAMES } from '../signals.js';
import type { AlarmEvent, IdSource, Instant } from '../types.js';
import type { SignalTrack, Tracks } from '../debounce.js';
import { lifecycleEvent, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export type ChatterAlarms = Readonly<Partial<Record<SignalName, ActiveAlarm>>>;

function recent(flips: readonly number[], now: number, windowMs: number): number[] {
  return flips.filter((m) => m <= now && now - m < windowMs);
}

/** Updates every track's chatter mark at `at`; returns new tracks/alarms (identity kept when unchanged). */
export function stepChatter(
  tracks: Tracks,
  alarms: ChatterAlarms,
  at: Instant,
  tuning: Tuning,
  ids: IdSource,
  liftId: string,
  ctx: EventContext,
): { tracks: Tracks; alarms: ChatterAlarms; events: AlarmEvent[] } {
  const events: AlarmEvent[] = [];
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
          rule: `${name} flipped ${flips.length} times within ${tuning.windowMs} ms (limit ${tuning.count}); its alarms are held`,
          heldMs: at.mono - first,
          signals: { [name]: tr.value } as Record<string, unknown>,
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
  return { tracks: outTracks ?? tracks, alarms: outAlarms ?? alarms, events };
}

/** When the next chattering signal becomes calm (no flip for a whole window), or null. */
export function chatterDeadline(tracks: Tracks, tuning: Tuning): Instant | null {
  let best: Instant | null = null;
  for (const name of SIGNAL_NAMES) {
    const tr = tracks[name];
    if (tr === undefined || !tr.chattering) continue;
    const last = tr.flips[tr.flips.length - 1];
    if (last === undefined) continue;
    const due = plus(tr.since, last - tr.since.mono + tuning.windowMs);
    if (best === null || due.mono < best.mono) best = due;
  }
  return best;
}

export function isChattering(tracks: Tracks, names: readonly SignalName[]): boolean {
  return names.some((n) => tracks[n]?.chattering === true);
}

/**
 * CONTROLLER_COMM_LOST (docs/taxonomy.md: no valid response for 3 polls / >= 10 s; the lift's
 * state becomes unknown). Both must hold: COMM_LOST_FAILED_POLLS consecutive failed polls AND
 * confirmMs since the last good sample (or since start). The first good sample clears it.
 */
import type { AlarmEvent, IdSource, Instant, LinkState } from '../types.js';
import { COMM_LOST_FAILED_POLLS } from '../defaults.js';
import { lifecycleEvent, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export interface CommState {
  link: LinkState;
  /** Consecutive failed polls since the last good sample. */
  failures: number;
  /** Last good sample, or the start of the core. */
  lastGood: Instant;
  /** Wall time of the last good sample, null before the first one. */
  lastSampleWall: number | null;
  firstFailure: Instant | null;
  lastReason: string | null;
  /** Floor at the last good sample: where the car was when the link went. */
  lastFloor: number | null;
  active: ActiveAlarm | null;
}

export function initialComm(at: Instant): CommState {
  return {
    link: 'unknown', failures: 0, lastGood: at, lastSampleWall: null,
    firstFailure: null, lastReason: null, lastFloor: null, active: null,
  };
}

export function onPollFailed(st: CommState, at: Instant, reason: string): CommState {
  return { ...st, failures: st.failures + 1, firstFailure: st.firstFailure ?? at, lastReason: reason };
}

/** Checks the lost condition at `at`; returns `lost: true` on the transition. */
export function checkLost(
  st: CommState,
  at: Instant,
  tuning: Tuning,
  ids: IdSource,
  liftId: string,
): { st: CommState; events: AlarmEvent[]; lost: boolean } {
  if (st.link === 'lost' || st.failures < COMM_LOST_FAILED_POLLS) return { st, events: [], lost: false };
  const silentMs = at.mono - st.lastGood.mono;
  if (silentMs < tuning.confirmMs) return { st, events: [], lost: false };
  const next: CommState = { ...st, link: 'lost' };
  // A restored COMM_LOST (agent restarted while the link was down) is continued, not re-raised.
  if (st.active !== null || !tuning.enabled) return { st: next, events: [], lost: true };
  const ctx: EventContext = { floor: st.lastFloor, controllerCode: null };
  const { alarm, event } = raise({
    ids, code: 'CONTROLLER_COMM_LOST', severity: tuning.severity, liftId,
    since: st.firstFailure ?? st.lastGood, at, ctx,
    evidence: {
      rule: `no valid sample for ${COMM_LOST_FAILED_POLLS} polls and >= ${tuning.confirmMs} ms`,
      heldMs: silentMs,
      signals: {},
    },
    detail: `${st.failures} failed polls, last: ${st.lastReason ?? 'unknown'}`,
  });
  return { st: { ...next, active: alarm }, events: [event], lost: true };
}

/**
 * A good sample arrived. Returns the COMM_LOST clear (if one was active) and whether the
 * link was lost, in which case the caller rebuilds the lift state from this sample.
 */
export function onGoodSample(
  st: CommState,
  at: Instant,
  ctx: EventContext,
): { st: CommState; events: AlarmEvent[]; recovered: boolean } {
  const events: AlarmEvent[] = [];
  if (st.active !== null) {
    const detail = `link restored after ${at.mono - st.lastGood.mono} ms`;
    events.push(lifecycleEvent(st.active, 'cleared', at, ctx, { detail }));
  }
  const next: CommState = {
    link: 'ok', failures: 0, lastGood: at, lastSampleWall: at.wall,
    firstFailure: null, lastReason: null, lastFloor: ctx.floor, active: null,
  };
  return { st: next, events, recovered: st.link !== 'ok' };
}

export function commDeadline(st: CommState, tuning: Tuning): Instant | null {
  if (st.link === 'lost' || st.failures < COMM_LOST_FAILED_POLLS) return null;
  return plus(st.lastGood, tuning.confirmMs);
}

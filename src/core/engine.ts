/**
 * The pure fault core: `(config, state, input) -> (state, effects, nextDeadline)`.
 * Imports nothing from Node, reads no clock, starts no timer (style.md, "A pure core").
 *
 * Time is a discrete-event simulation: before an input is applied, every internal deadline
 * (debounce commit, confirm, clear, bypass, comm-lost) up to the input's time is processed at
 * its own exact instant, in time order. So the events do not depend on how often the driver
 * ticks or on jitter between samples; `nextDeadline` only tells the driver when to come back.
 */
import { SIGNAL_NAMES, type SignalName, type SignalValues } from './signals.js';
import type { AlarmCode, AlarmEvent, CoreEffect, CoreInput, IdSource, Instant, LiftSnapshot } from './types.js';
import { holdLookup, leavesTracks, observe, rebuild } from './debounce.js';
import { SIGNAL_HOLD_DEFAULTS, type HoldTimes } from './defaults.js';
import { snapshotKey } from './lift-state.js';
import { contextOf, lifecycleEvent, type EventContext } from './rules/alarm.js';
import { initialComm, onGoodSample, onPollFailed } from './rules/comm-lost.js';
import { acknowledgeIn, evaluateLift, liftDeadline, snapshotOf, viewOf, viewOfTracks, type Env, type LiftCore } from './rules/lift.js';
import { endAlarm, TRAPPED_IDLE } from './rules/passenger-trapped.js';
import { restoreInto } from './rules/restore.js';
import { EDGES_IDLE } from './rules/edge-counts.js';
import { FAULT_IDLE, type FaultCodeMap } from './rules/fault-code.js';
import { testCallEvents } from './rules/test-call.js';
import { tuningFor, type RuleOverride, type Tuning } from './rules/tuning.js';

export interface CoreLiftConfig {
  id: string;
  pollIntervalMs: number;
  landings: number; // count
  /** Per-lift tuning over the site's `rules` (config `lifts[].rules`). */
  rules?: Partial<Record<AlarmCode, RuleOverride>>;
  /** Controller fault code -> taxonomy code (profile `faultCodes`); unlisted non-zero codes are DRIVE_FAULT. */
  faultCodes?: FaultCodeMap;
}

export interface CoreConfig {
  lifts: CoreLiftConfig[];
  /** Per-code tuning over the taxonomy defaults (src/core/defaults.ts). */
  rules: Partial<Record<AlarmCode, RuleOverride>>;
  /** Optional per-signal debounce holds over SIGNAL_HOLD_DEFAULTS (all 0 by default). */
  debounce?: Partial<Record<SignalName, Partial<HoldTimes>>>;
}

export interface CoreState {
  /** False until the first step has emitted a snapshot for every lift. */
  started: boolean;
  lifts: readonly LiftCore[];
}

/** Safety valve against a deadline that is never consumed (a bug, not an input condition). */
const MAX_DEADLINES_PER_STEP = 100_000;

/**
 * The core counts time in whole milliseconds. A driver's clock may give fractions
 * (performance.now()); with them `since + confirmMs - since` can come out a hair below
 * `confirmMs` in floating point, and a due deadline would never be consumed (the latency
 * benchmark caught the core spinning on exactly that). Integers below 2^53 add exactly.
 */
export function wholeMs(at: Instant): Instant {
  const mono = Math.floor(at.mono);
  const wall = Math.floor(at.wall);
  return mono === at.mono && wall === at.wall ? at : { mono, wall };
}

/**
 * `restored`: the latest event of every alarm still active when the agent last stopped;
 * `history`: the latest event of every alarm raised within the REPEATED_FAULT window before
 * now (the store keeps both), so repeated faults are counted across restarts.
 */
export function initialState(cfg: CoreConfig, rawAt: Instant, restored?: readonly AlarmEvent[], history?: readonly AlarmEvent[]): CoreState {
  const at = wholeMs(rawAt);
  const lifts: LiftCore[] = cfg.lifts.map((l) => ({
    id: l.id,
    landings: l.landings,
    tracks: {},
    comm: initialComm(at),
    timed: {},
    trapped: TRAPPED_IDLE,
    orphans: [],
    chatter: {},
    fault: FAULT_IDLE,
    repeats: {},
    edges: EDGES_IDLE,
    // EN 81-28 test interval: the start counts as a test (the agent cannot know when the last
    // one was before a restart; docs/alarms.md), so the first reminder comes 3 days after start.
    lastTest: at,
    lastEval: at.mono,
    lastKey: null,
  }));
  const any = (restored?.length ?? 0) > 0 || (history?.length ?? 0) > 0;
  return { started: false, lifts: any ? restoreInto(lifts, restored ?? [], history ?? [], at) : lifts };
}

/** The longest REPEATED_FAULT window of any lift: how far back the agent reads raises at start. */
export function repeatWindowMs(cfg: CoreConfig): number {
  return Math.max(0, ...cfg.lifts.map((l) => tuningFor(cfg.rules, 'REPEATED_FAULT', l.rules).windowMs));
}

/** One Env per lift: its tuning is the taxonomy default < site `rules` < the lift's `rules`. */
type EnvFor = (liftId: string) => Env;

/**
 * Envs and the deadline table are memoized per (config, id source) across steps: Envs are pure
 * functions of the two, and rebuilding them every step re-derived every tuning per sample (the
 * field-bus benchmark, docs/performance.md: the core's share of the agent's CPU per
 * transaction). A CoreConfig is therefore treated as immutable once it has been stepped (the
 * agent builds it once; traces never change it).
 */
const tableCache = new WeakMap<CoreConfig, WeakMap<IdSource, DeadlineTable>>();

/** The last pair stepped and its table: an agent steps one pair for its whole life (two WeakMap lookups a step saved). */
let last: { cfg: CoreConfig; ids: IdSource; table: DeadlineTable } | null = null;

/** The deadline table of (config, id source); its `envFor` gives each lift's Env. */
function tableOf(cfg: CoreConfig, ids: IdSource): DeadlineTable {
  if (last !== null && last.cfg === cfg && last.ids === ids) return last.table;
  let byIds = tableCache.get(cfg);
  if (byIds === undefined) tableCache.set(cfg, (byIds = new WeakMap()));
  let table = byIds.get(ids);
  if (table === undefined) byIds.set(ids, (table = new DeadlineTable(buildEnvFor(cfg, ids))));
  last = { cfg, ids, table };
  return table;
}

function buildEnvFor(cfg: CoreConfig, ids: IdSource): EnvFor {
  const holds = holdLookup(cfg.debounce, SIGNAL_HOLD_DEFAULTS);
  const envs = new Map<string, Env>();
  return (liftId) => {
    let env = envs.get(liftId);
    if (env !== undefined) return env;
    const lc = cfg.lifts.find((l) => l.id === liftId);
    const memo = new Map<AlarmCode, Tuning>();
    const tune = (code: AlarmCode): Tuning => {
      let t = memo.get(code);
      if (t === undefined) memo.set(code, (t = tuningFor(cfg.rules, code, lc?.rules)));
      return t;
    };
    env = {
      tune,
      trappedTunings: { trapped: tune('PASSENGER_TRAPPED'), filtered: tune('ALARM_FILTERED') },
      holds,
      ids,
      faultCodes: lc?.faultCodes ?? {},
    };
    envs.set(liftId, env);
    return env;
  };
}

/**
 * Each lift's next deadline, recomputed only for a lift object not seen before: a step touches
 * one lift, and scanning all of them (with their rules) three times per step was a large part
 * of the core's cost per sample (the field-bus benchmark, docs/performance.md). One table per
 * (config, id source), shared by every state stepped under them: an entry is used only while
 * its lift is the very object at that index (a LiftCore is immutable and its deadline under one
 * Env never changes), so stepping an older state again recomputes instead of reading another
 * state's deadline. Copying the table for every step cost more than the scans it saves.
 *
 * It also remembers the earliest deadline of the last state it computed one for, which lets a
 * sample that falls before it skip the deadline scans altogether (quietStep, below).
 */
class DeadlineTable {
  private readonly of: Array<LiftCore | undefined> = [];
  private readonly due: Array<Instant | null> = [];
  private nextOf: CoreState | null = null;
  private next: number | null = null;

  constructor(readonly envFor: EnvFor) {}

  /** `to` replaces `from` at `i` with the same deadline (the unchanged-sample shortcut). */
  carry(i: number, from: LiftCore, to: LiftCore): void {
    if (this.of[i] === from) this.of[i] = to;
  }

  get(lifts: readonly LiftCore[], i: number): Instant | null {
    const l = lifts[i];
    if (l === undefined) return null;
    if (this.of[i] !== l) {
      this.of[i] = l;
      this.due[i] = liftDeadline(this.envFor(l.id), l);
    }
    return this.due[i] ?? null;
  }

  /** The earliest deadline of `state`'s lifts (mono ms), computed at the end of its step. */
  remember(state: CoreState, next: number | null): void {
    this.nextOf = state;
    this.next = next;
  }

  /** `state`'s earliest deadline when this table computed it, else undefined. */
  nextFor(state: CoreState): number | null | undefined {
    return this.nextOf === state ? this.next : undefined;
  }
}

/**
 * Lifts whose rules have just run: evaluateLift's output (or the shortcut's, below), with the
 * Env they ran under and the instant up to which running them again under it on the same
 * signals changes nothing but the comm bookkeeping and lastEval (null until computed: see
 * quietUntil). Keyed by the immutable lift object, like the deadline table.
 */
interface Settled {
  readonly env: Env;
  until: number | null;
  /** A values object already found to leave these lifts' tracks as they are (see unchangedSample). */
  seen: SignalValues | null;
}

const settled = new WeakMap<LiftCore, Settled>();

function evaluate(env: Env, lift: LiftCore, at: Instant): { lift: LiftCore; events: AlarmEvent[] } {
  const r = evaluateLift(env, lift, at);
  settled.set(r.lift, { env, until: null, seen: null });
  return r;
}

/**
 * Until when (mono ms, exclusive) a settled lift's rules would leave it as it is, signals
 * unchanged: its own deadline (every raise, confirm, clear, commit and calm falls on one:
 * the core is a discrete-event simulation, see the top of this file), and the instants at
 * which an evaluation drops an expired entry from a rolling window without a deadline of its
 * own (a chatter flip leaving the SIGNAL_CHATTERING window, a raise leaving the
 * REPEATED_FAULT window: rules/chatter.ts `recent`, rules/repeated.ts `inWindow`). Those drops
 * change no event, but the shortcut must leave exactly the state a full evaluation would.
 */
function quietUntil(env: Env, lift: LiftCore, due: Instant | null): number {
  let until = due === null ? Infinity : due.mono;
  const chatterMs = env.tune('SIGNAL_CHATTERING').windowMs;
  for (const name of SIGNAL_NAMES) {
    const first = lift.tracks[name]?.flips[0];
    if (first !== undefined && first + chatterMs < until) until = first + chatterMs;
  }
  const repeatMs = env.tune('REPEATED_FAULT').windowMs;
  for (const st of Object.values(lift.repeats)) {
    const first = st?.times[0];
    if (first !== undefined && first.mono + repeatMs < until) until = first.mono + repeatMs;
  }
  return until;
}

/**
 * The unchanged-sample shortcut (the field-bus benchmark showed that at a 50 ms poll about 97 % of
 * the samples equal the lift's previous one, and each ran every rule, re-derived and
 * re-serialised the snapshot and recomputed the lift's deadline). When the sample leaves the
 * debounce tracks as they are (same raw values, no new candidate), the link was fine at the
 * last evaluation (no failed poll since, no COMM_LOST, no restored alarm waiting to be
 * cleared), the lift is exactly what its last rule evaluation left and nothing of it falls due
 * before or at this instant, then a full evaluation would only record the good sample (comm:
 * lastGood, lastSampleWall) and lastEval: that is all this does. Its snapshot and deadline are
 * the previous ones (lastSampleAt is not part of the snapshot key). Returns null when a full
 * evaluation is needed. test/core-shortcut.test.ts replays long random traces through `step`
 * and `stepReference` (which never takes this path) and compares every effect byte for byte
 * and every state in between.
 */
function unchangedSample(env: Env, table: DeadlineTable, lifts: readonly LiftCore[], i: number, input: Extract<CoreInput, { kind: 'sample' }>): LiftCore | null {
  const lift = lifts[i];
  if (lift === undefined) return null;
  const { comm } = lift;
  if (comm.link !== 'ok' || comm.failures !== 0 || comm.active !== null || lift.orphans.length > 0) return null;
  const s = settled.get(lift);
  if (s === undefined || s.env !== env) return null;
  s.until ??= quietUntil(env, lift, table.get(lifts, i));
  if (input.at.mono >= s.until) return null;
  // A driver that hands on the very object of the last sample (the bus poller does while the
  // answers repeat) is not re-checked: inputs are immutable, like everything the core holds.
  if (s.seen !== input.values) {
    if (!leavesTracks(lift.tracks, input.values, input.at, env.holds)) return null;
    s.seen = input.values;
  }
  const view = viewOf(lift);
  const g = onGoodSample(comm, input.at, contextOf(view.values, view.floor));
  // Spelled out rather than spread: a spread of the lift took V8's slow clone path here (perf,
  // CloneObjectIC_Slow). Same fields in the same order as initialState's; LiftCore has no
  // optional field, so the compiler rejects a literal that forgets one.
  const next: LiftCore = {
    id: lift.id, landings: lift.landings, tracks: lift.tracks, comm: g.st, timed: lift.timed, trapped: lift.trapped,
    orphans: lift.orphans, chatter: lift.chatter, fault: lift.fault, repeats: lift.repeats, edges: lift.edges,
    lastTest: lift.lastTest, lastEval: input.at.mono, lastKey: lift.lastKey,
  };
  settled.set(next, s); // same Env, same horizon: nothing but the comm bookkeeping changed
  table.carry(i, lift, next);
  return next;
}

/** Processes every lift deadline at or before `mono`, earliest first (ties: config order). */
function advance(table: DeadlineTable, lifts: LiftCore[], mono: number, events: AlarmEvent[]): void {
  for (let n = 0; n < MAX_DEADLINES_PER_STEP; n++) {
    let idx = -1;
    let due: Instant | null = null;
    for (let i = 0; i < lifts.length; i++) {
      const d = table.get(lifts, i);
      if (d !== null && d.mono <= mono && (due === null || d.mono < due.mono)) {
        due = d;
        idx = i;
      }
    }
    const lift = lifts[idx];
    if (due === null || lift === undefined) return;
    const r = evaluate(table.envFor(lift.id), lift, due);
    lifts[idx] = r.lift;
    events.push(...r.events);
  }
}

function applySample(env: Env, lift: LiftCore, input: Extract<CoreInput, { kind: 'sample' }>, events: AlarmEvent[]): LiftCore {
  const at = input.at;
  // First sample, or recovery after link loss: rebuild the state from this fresh sample, with
  // no debounce hold, before any rule runs (the state is unknown while the link is lost:
  // docs/taxonomy.md, cross-cutting rules).
  const tracks = lift.comm.link === 'ok' ? observe(lift.tracks, input.values, at, env.holds) : rebuild(input.values, at, lift.tracks);
  const view = viewOfTracks(tracks, 'ok', lift.landings);
  const ctx = contextOf(view.values, view.floor);
  const g = onGoodSample(lift.comm, at, ctx);
  events.push(...g.events);
  let l: LiftCore = { ...lift, tracks, comm: g.st };
  if (l.orphans.some((o) => o.severity !== 'critical')) {
    for (const o of l.orphans) {
      if (o.severity !== 'critical') {
        events.push(lifecycleEvent(o, 'cleared', at, ctx, { detail: 'restored alarm not evaluated by this core version' }));
      }
    }
    l = { ...l, orphans: l.orphans.filter((o) => o.severity === 'critical') };
  }
  const r = evaluate(env, l, at);
  events.push(...r.events);
  return r.lift;
}

function applyEndOfAlarm(lift: LiftCore, input: Extract<CoreInput, { kind: 'endOfAlarm' }>, events: AlarmEvent[]): LiftCore {
  const view = viewOf(lift);
  const ctx: EventContext = contextOf(view.values, view.floor);
  const r = endAlarm(lift.trapped, input.at, ctx, input.source, input.by);
  events.push(...r.events);
  // Critical orphans (restored, no rule in this version) also end only by end of alarm.
  for (const o of lift.orphans) {
    events.push(lifecycleEvent(o, 'end_of_alarm', input.at, ctx, { endOfAlarmSource: input.source }));
  }
  return { ...lift, trapped: r.st, orphans: [] };
}

export interface StepResult {
  state: CoreState;
  effects: CoreEffect[];
  nextDeadline: number | null;
  /** True when the input was a sample handled by the unchanged-sample shortcut (no rule ran). */
  shortcut: boolean;
}

export function step(cfg: CoreConfig, state: CoreState, rawInput: CoreInput, ids: IdSource): StepResult {
  return stepWith(cfg, state, rawInput, ids, true);
}

/**
 * `step` without the unchanged-sample shortcut: every sample runs every rule of its lift. The
 * reference the shortcut is checked against (test/core-shortcut.test.ts); same effects, states
 * equal in value.
 */
export function stepReference(cfg: CoreConfig, state: CoreState, rawInput: CoreInput, ids: IdSource): StepResult {
  return stepWith(cfg, state, rawInput, ids, false);
}

/**
 * The unchanged-sample shortcut without the step around it: when no deadline of the state
 * falls at or before the sample (so `advance` would do nothing) and the shortcut holds, the
 * step's whole result is the shortcut's lift in place of the old one, no effect, and the same
 * earliest deadline (the shortcut keeps the lift's). Most samples of a busy bus end here.
 * Returns null when the full step must run.
 */
function quietStep(table: DeadlineTable, state: CoreState, input: Extract<CoreInput, { kind: 'sample' }>): StepResult | null {
  const next = table.nextFor(state);
  if (next === undefined || (next !== null && next <= input.at.mono)) return null;
  const i = state.lifts.findIndex((l) => l.id === input.liftId);
  const lift = state.lifts[i];
  if (lift === undefined) return null;
  const quiet = unchangedSample(table.envFor(lift.id), table, state.lifts, i, input);
  if (quiet === null) return null;
  const lifts = state.lifts.slice();
  lifts[i] = quiet;
  const after: CoreState = { started: true, lifts };
  table.remember(after, next);
  return { state: after, effects: [], nextDeadline: next, shortcut: true };
}

function stepWith(cfg: CoreConfig, state: CoreState, rawInput: CoreInput, ids: IdSource, shortcuts: boolean): StepResult {
  const at = wholeMs(rawInput.at);
  const input: CoreInput = at === rawInput.at ? rawInput : { ...rawInput, at };
  const table = tableOf(cfg, ids);
  const envFor = table.envFor;
  if (shortcuts && input.kind === 'sample' && state.started) {
    const fast = quietStep(table, state, input);
    if (fast !== null) return fast;
  }
  const lifts = [...state.lifts];
  const events: AlarmEvent[] = [];
  advance(table, lifts, input.at.mono, events);

  let quiet: LiftCore | null = null;
  if (input.kind === 'acknowledge') {
    lifts.forEach((l, i) => {
      const r = acknowledgeIn(l, input.alarmId);
      if (r === null) return;
      lifts[i] = r.lift;
      const view = viewOf(l);
      const detail = input.by === undefined ? undefined : `acknowledged by ${input.by}`;
      events.push(lifecycleEvent(r.alarm, 'acknowledged', input.at, contextOf(view.values, view.floor), { detail }));
    });
  } else if (input.kind !== 'tick') {
    const i = lifts.findIndex((l) => l.id === input.liftId);
    const lift = lifts[i];
    if (lift !== undefined) {
      const env = envFor(lift.id);
      if (input.kind === 'sample') {
        // Only for a lift no deadline of this step has evaluated: the shortcut's lift keeps its
        // previous snapshot (below), which must then still be the one last published.
        quiet = shortcuts && state.started && lift === state.lifts[i] ? unchangedSample(env, table, lifts, i, input) : null;
        lifts[i] = quiet ?? applySample(env, lift, input, events);
      }
      else if (input.kind === 'endOfAlarm') lifts[i] = applyEndOfAlarm(lift, input, events);
      else if (input.kind === 'testCall') {
        // EN 81-28 test call: one info event through the whole chain; restarts the 3-day clock.
        const view = viewOf(lift);
        events.push(...testCallEvents(env.tune('TEST_CALL'), input, env.ids, contextOf(view.values, view.floor)));
        const r = evaluate(env, { ...lift, lastTest: input.at }, input.at);
        lifts[i] = r.lift;
        events.push(...r.events);
      } else {
        const comm = onPollFailed(lift.comm, input.at, input.reason);
        const r = evaluate(env, { ...lift, comm }, input.at);
        lifts[i] = r.lift;
        events.push(...r.events);
      }
    }
  }
  advance(table, lifts, input.at.mono, events); // deadlines that fall due at this very instant

  const effects: CoreEffect[] = events.map((event) => ({ type: 'event', event }));
  lifts.forEach((l, i) => {
    // A lift this step did not touch (same object as before the step) has the snapshot its
    // lastKey was computed from: skip re-deriving and re-serialising it (a measurable cost per
    // sample in the field-bus benchmark, docs/performance.md).
    if (state.started && l === state.lifts[i]) return;
    // The shortcut's lift has its previous snapshot but for lastSampleAt, which the key leaves out.
    if (l === quiet) return;
    const snapshot = snapshotOf(l);
    const key = snapshotKey(snapshot);
    if (state.started && key === l.lastKey) return;
    const keyed: LiftCore = { ...l, lastKey: key };
    // The key is no input of any rule or deadline: what was settled stays settled.
    const s = settled.get(l);
    if (s !== undefined) settled.set(keyed, s);
    table.carry(i, l, keyed);
    lifts[i] = keyed;
    effects.push({ type: 'snapshot', snapshot });
  });
  let next: number | null = null;
  for (let i = 0; i < lifts.length; i++) {
    const d = table.get(lifts, i);
    if (d !== null && (next === null || d.mono < next)) next = d.mono;
  }
  const after: CoreState = { started: true, lifts };
  table.remember(after, next);
  return { state: after, effects, nextDeadline: next, shortcut: quiet !== null };
}

export function snapshots(state: CoreState): LiftSnapshot[] {
  return state.lifts.map(snapshotOf);
}

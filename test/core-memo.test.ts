/**
 * The engine memoizes what is a pure function of immutable inputs (for the field-bus benchmark:
 * envs per config and id source, deadlines per lift object, views per tracks, snapshots of untouched lifts). These
 * tests pin down that the memos never leak between configs or between branches of one state:
 * a state stepped under another config, or stepped twice with different inputs, gives exactly
 * what a fresh computation gives.
 */
import t from 'tap';
import { initialState, step, type CoreConfig, type CoreState } from '../src/core/engine.js';
import { sequentialIds } from './helpers/trace.js';
import type { CoreEffect, CoreInput, Instant } from '../src/core/types.js';
import type { SignalValues } from '../src/core/signals.js';

const M0 = 1_000;
const W0 = 1_700_000_000_000;
const at = (ms: number): Instant => ({ mono: M0 + ms, wall: W0 + ms });
const lifts = [
  { id: 'L1', pollIntervalMs: 500, landings: 6 },
  { id: 'L2', pollIntervalMs: 500, landings: 6 },
];
const fast: CoreConfig = { lifts, rules: { STOPPED_BETWEEN_FLOORS: { confirmMs: 2_000 } } };
const slow: CoreConfig = { lifts, rules: { STOPPED_BETWEEN_FLOORS: { confirmMs: 9_000 } } };
const IDLE: SignalValues = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true,
  moving: false, alarmButton: false, inspection: false, mainsPower: true, endOfAlarm: false, floor: 0, faultCode: 0,
};
const sample = (ms: number, v: SignalValues, liftId = 'L1'): CoreInput => ({ kind: 'sample', liftId, at: at(ms), values: { ...IDLE, ...v } });
const codes = (effects: CoreEffect[]): string[] => effects.flatMap((e) => (e.type === 'event' ? [`${e.event.code}:${e.event.lifecycle}`] : []));

/** Both lifts sampled at rest, then L1 stopped outside the door zone at 1 s. */
function prepared(cfg: CoreConfig): CoreState {
  const ids = sequentialIds();
  let st = initialState(cfg, at(0));
  st = step(cfg, st, sample(0, {}), ids).state;
  st = step(cfg, st, sample(0, {}, 'L2'), ids).state;
  return step(cfg, st, sample(1_000, { doorZone: false }), ids).state;
}

void t.test('a state stepped under another config uses that config, not the memo of the first', async (t) => {
  const st = prepared(fast);
  // The same state object, stepped under each config (the deadline table travels with the state).
  // At 2 s: the door-zone change has settled and been judged (rules/chatter-model.ts).
  const underFast = step(fast, st, { kind: 'tick', at: at(2_000) }, sequentialIds('F'));
  const underSlow = step(slow, st, { kind: 'tick', at: at(2_000) }, sequentialIds('S'));
  t.equal(underFast.nextDeadline, M0 + 3_000, 'fast config: confirm 2 s after the stop');
  t.equal(underSlow.nextDeadline, M0 + 10_000, 'slow config: confirm 9 s after the stop');
  const fresh = step(slow, prepared(slow), { kind: 'tick', at: at(2_000) }, sequentialIds('S'));
  t.equal(underSlow.nextDeadline, fresh.nextDeadline, 'as a state built under the slow config from the start');
  t.same(codes(step(slow, underSlow.state, { kind: 'tick', at: at(3_000) }, sequentialIds('S')).effects), [], 'nothing raised at 3 s under the slow config');
  t.same(codes(step(fast, underFast.state, { kind: 'tick', at: at(3_000) }, sequentialIds('F')).effects), ['STOPPED_BETWEEN_FLOORS:raised'], 'raised at 3 s under the fast config');
});

void t.test('one state stepped along two branches: each branch sees only its own inputs', async (t) => {
  const ids = sequentialIds();
  const st = prepared(fast);
  const moved = step(fast, st, sample(2_200, { doorZone: true }), ids); // back in the zone: pending dropped
  const still = step(fast, st, sample(2_000, { doorZone: false }), ids); // still outside: pending kept (the change settled at 1.5 s)
  t.equal(still.nextDeadline, M0 + 3_000, 'the branch still outside keeps the confirm deadline');
  t.not(moved.nextDeadline, M0 + 3_000, 'the branch back in the zone has no such deadline');
  // An untouched lift (L2) of either branch still has its snapshot, and the touched one a new one when it changed.
  const stAgain = step(fast, st, { kind: 'tick', at: at(3_000) }, sequentialIds('X'));
  t.same(codes(stAgain.effects), ['STOPPED_BETWEEN_FLOORS:raised'], 'the original state is unaffected by the branches');
  t.same(codes(step(fast, moved.state, { kind: 'tick', at: at(3_000) }, ids).effects), [], 'no raise on the branch that moved');
});

void t.test('a sample equal to the last one changes no snapshot; a changed one publishes exactly its lift', async (t) => {
  const ids = sequentialIds();
  const st = prepared(fast);
  const same = step(fast, st, sample(1_200, { doorZone: false }), ids);
  t.same(same.effects.filter((e) => e.type === 'snapshot'), [], 'nothing changed: no snapshot');
  const floor = step(fast, same.state, sample(1_300, { doorZone: false, floor: 2 }), ids);
  const snaps = floor.effects.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
  t.same(snaps.map((s) => [s.liftId, s.floor]), [['L1', 2]], 'only L1, on its new floor');
});

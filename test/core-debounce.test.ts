import t from 'tap';
import { holdLookup, nextDue, observe, rebuild, stableValues, commitDue } from '../src/core/debounce.js';
import type { Instant } from '../src/core/types.js';

const at = (ms: number): Instant => ({ mono: ms, wall: 1_000_000 + ms });
const holds = holdLookup({ safetyChain: { riseMs: 100, fallMs: 500 } }, {});

void t.test('separate rise and fall holds; a bounce back cancels the candidate', async (t) => {
  let tr = rebuild({ safetyChain: true, floor: 1 }, at(0));
  tr = observe(tr, { safetyChain: false, floor: 1 }, at(1000), holds);
  t.equal(stableValues(tr).safetyChain, true, 'fall needs 500 ms');
  t.same(nextDue(tr, holds), at(1500));
  tr = observe(tr, { safetyChain: true, floor: 1 }, at(1400), holds);
  t.equal(nextDue(tr, holds), null, 'bounced back: nothing pending');
  tr = observe(tr, { safetyChain: false, floor: 2 }, at(2000), holds);
  t.equal(stableValues(tr).floor, 2, 'signals without a hold change at once');
  tr = commitDue(tr, at(2499), holds);
  t.equal(stableValues(tr).safetyChain, true);
  tr = commitDue(tr, at(2600), holds);
  t.equal(stableValues(tr).safetyChain, false, 'committed after the hold');
  t.same(tr.safetyChain?.since, at(2500), 'at the exact instant the hold elapsed, not when checked');
  tr = observe(tr, { safetyChain: true, floor: 2 }, at(3000), holds);
  t.same(nextDue(tr, holds), at(3100), 'rise hold is separate');
});

void t.test('committed changes are kept in bursts at their commit instants, to be judged for chatter once settled', async (t) => {
  let tr = rebuild({ doorZone: true, moving: false }, at(0));
  for (let i = 1; i <= 3; i++) tr = observe(tr, { doorZone: i % 2 === 0, moving: false }, at(i * 1000), holds);
  t.same(tr.doorZone?.bursts.map((b) => b.times), [[1000], [2000], [3000]], 'changes 1 s apart are separate bursts');
  t.equal(tr.doorZone?.prev, true, 'the value before the last commit');
  tr = observe(tr, { doorZone: true, moving: false }, at(3200), holds);
  tr = observe(tr, { doorZone: false, moving: false }, at(3400), holds);
  const last = tr.doorZone?.bursts[tr.doorZone.bursts.length - 1];
  t.same(last?.times, [3000, 3200, 3400], 'changes closer than the settle time join one burst (bounce)');
  t.equal(last?.from, true, 'the burst remembers the value before it');
  t.same(tr.doorZone?.flips, [], 'nothing is counted before it is judged');
  const slow = holdLookup({ safetyChain: { fallMs: 300 } }, {});
  let c = rebuild({ safetyChain: true }, at(0));
  c = observe(c, { safetyChain: false }, at(1000), slow);
  c = observe(c, { safetyChain: true }, at(1100), slow);
  t.same(c.safetyChain?.bursts, [], 'a bounce the hold filters is no change');
  c = observe(c, { safetyChain: false }, at(2000), slow);
  c = commitDue(c, at(2300), slow);
  t.same(c.safetyChain?.bursts.map((b) => b.times), [[2300]], 'recorded at the commit instant');
  let b = rebuild({ alarmButton: false }, at(0));
  b = observe(b, { alarmButton: true }, at(1000), holds);
  t.same(b.alarmButton?.bursts, [], 'the alarm button is never judged');
  const counted = { ...c, safetyChain: { ...c.safetyChain!, flips: [2300], chattering: true } };
  const rebuilt = rebuild({ safetyChain: true }, at(9000), counted).safetyChain;
  t.same([rebuilt?.flips, rebuilt?.chattering, rebuilt?.bursts], [[2300], true, []], 'a rebuild after link loss keeps the counted history, not the unjudged bursts');
});

void t.test('unchanged samples keep track identity', async (t) => {
  const tr = rebuild({ moving: false }, at(0));
  const again = observe(tr, { moving: false }, at(500), holds);
  t.equal(again.moving, tr.moving);
});

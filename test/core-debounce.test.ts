import t from 'tap';
import { holdLookup, nextDue, observe, rebuild, stableValues, commitDue } from '../src/core/debounce.js';
import type { Instant } from '../src/core/types.js';

const at = (ms: number): Instant => ({ mono: ms, wall: 1_000_000 + ms });
const holds = holdLookup({ safetyChain: { riseMs: 100, fallMs: 500 } }, {});

t.test('separate rise and fall holds; a bounce back cancels the candidate', async (t) => {
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

t.test('debounced flips are recorded at their commit instants for chatter detection (issue 3)', async (t) => {
  let tr = rebuild({ doorZone: true, moving: false }, at(0));
  for (let i = 1; i <= 6; i++) tr = observe(tr, { doorZone: i % 2 === 0, moving: false }, at(i * 1000), holds);
  t.same(tr.doorZone?.flips, [1000, 2000, 3000, 4000, 5000, 6000]);
  t.equal(tr.doorZone?.prev, false, 'the value before the last commit');
  tr = observe(tr, { doorZone: false, moving: true }, at(7000), holds);
  tr = observe(tr, { doorZone: true, moving: true }, at(8000), holds);
  t.equal(tr.doorZone?.flips.length, 6, 'a running car passing landings is not chatter');
  const slow = holdLookup({ safetyChain: { fallMs: 300 } }, {});
  let c = rebuild({ safetyChain: true }, at(0));
  c = observe(c, { safetyChain: false }, at(1000), slow);
  c = observe(c, { safetyChain: true }, at(1100), slow);
  t.same(c.safetyChain?.flips, [], 'a bounce the hold filters is no flip');
  c = observe(c, { safetyChain: false }, at(2000), slow);
  c = commitDue(c, at(2300), slow);
  t.same(c.safetyChain?.flips, [2300], 'recorded at the commit instant');
  let b = rebuild({ alarmButton: false }, at(0));
  b = observe(b, { alarmButton: true }, at(1000), holds);
  t.same(b.alarmButton?.flips, [], 'the alarm button is never counted');
  t.same(rebuild({ safetyChain: true }, at(9000), c).safetyChain?.flips, [2300], 'a rebuild after link loss keeps the history');
});

t.test('unchanged samples keep track identity', async (t) => {
  const tr = rebuild({ moving: false }, at(0));
  const again = observe(tr, { moving: false }, at(500), holds);
  t.equal(again.moving, tr.moving);
});

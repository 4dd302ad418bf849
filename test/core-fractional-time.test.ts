// Regression (found by the latency benchmark): with a real clock, performance.now() gives
// fractional milliseconds; `since + confirmMs - since` can then fall a hair short of
// `confirmMs` in floating point, a due deadline is never consumed, and the core spun up to
// its safety valve on every input (latency benchmark: 2 s timers firing every 20-30 s).
import t from 'tap';
import { TraceDriver, sequentialIds } from './helpers/trace.js';
import type { CoreConfig } from '../src/core/engine.js';
import type { CoreEffect } from '../src/core/types.js';

const cfg: CoreConfig = {
  lifts: [{ id: 'A', pollIntervalMs: 100, landings: 5 }],
  rules: { MAINS_POWER_FAILURE: { confirmMs: 500, clearMs: 300 }, SAFETY_CHAIN_OPEN: { confirmMs: 700, clearMs: 300 } },
};
const REST = { moving: false, doorZone: true, doorClosedLimit: true, doorOpenLimit: false, doorLocked: true, safetyChain: true, mainsPower: true, alarmButton: false };

function run(offset: number, jitter: (i: number) => number): string[] {
  const start = { mono: offset, wall: 1_800_000_000_000 + offset };
  const d = new TraceDriver(cfg, start, sequentialIds());
  const out: CoreEffect[] = [];
  for (let i = 1; i < 1200; i++) {
    const mono = offset + i * 100 + jitter(i);
    // A contact that chatters for a while (fast flips), then mains and chain faults.
    const phase = Math.floor(i / 100) % 4;
    const values = {
      ...REST,
      mainsPower: !(phase === 1),
      safetyChain: phase === 2 ? i % 2 === 0 : true,
    };
    out.push(...d.feed({ kind: 'sample', liftId: 'A', at: { mono, wall: start.wall + (mono - offset) }, values }));
  }
  return out.filter((e) => e.type === 'event').map((e) => (e.type === 'event' ? `${e.event.code}:${e.event.lifecycle}` : ''));
}

void t.test('fractional instants give the same events as whole milliseconds, and never a stuck deadline', async (t) => {
  const whole = run(10_000, () => 0);
  t.ok(whole.includes('MAINS_POWER_FAILURE:raised'));
  t.ok(whole.includes('SIGNAL_CHATTERING:raised'));
  for (const offset of [12_345.678901, 987_654.321987, 0.1 + 0.2]) {
    const frac = run(offset, (i) => ((i * 7919) % 97) / 1000 + 0.000123);
    t.same(frac, whole, `offset ${offset}`);
  }
});

void t.test('the instant the benchmark caught: 1748.23968 + 500 ms in floating point', async (t) => {
  // 2248.2396799999997 - 1748.23968 = 499.99999999997 < 500: the deadline was due but the
  // rule was not, so the driver's tick never consumed it.
  const d = new TraceDriver(cfg, { mono: 1000, wall: 1_795_350_453_629 }, sequentialIds());
  const at = (mono: number) => ({ mono, wall: 1_795_350_453_629 + Math.round(mono - 1000) });
  d.feed({ kind: 'sample', liftId: 'A', at: at(1100), values: REST });
  d.feed({ kind: 'sample', liftId: 'A', at: at(1748.23968), values: { ...REST, mainsPower: false } });
  const effects = d.feed({ kind: 'sample', liftId: 'A', at: at(2348.421892), values: { ...REST, mainsPower: false } });
  const raised = effects.find((e) => e.type === 'event' && e.event.code === 'MAINS_POWER_FAILURE' && e.event.lifecycle === 'raised');
  t.ok(raised, 'raised at its deadline');
  t.ok(d.nextDeadline === null || d.nextDeadline > 2348.421892, 'no deadline left behind');
});

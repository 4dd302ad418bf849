/** The real clock and event ids, for tests and benchmarks that open a store directly. */
import type { Clock } from '../../src/ports/clock.js';
import { SystemClock } from '../../src/platform/system-clock.js';
import { uuidIds } from '../../src/platform/uuid-ids.js';

export const SYSTEM_PORTS = { clock: new SystemClock(), eventIds: uuidIds };

/** A clock whose time is the test's own (`now()` for both wall and monotonic), with real timers. */
export function realTimersAt(now: () => number): Clock {
  const real = SYSTEM_PORTS.clock;
  return { now: () => ({ wall: now(), mono: now() }), setTimeout: (fn, ms) => real.setTimeout(fn, ms), clearTimeout: (h) => real.clearTimeout(h) };
}

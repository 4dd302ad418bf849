import { performance } from 'node:perf_hooks';
import type { Instant } from '../core/types.js';
import type { Clock, TimerHandle } from '../ports/clock.js';

/** The real clock: monotonic time from performance.now(), wall time from Date.now(). */
export class SystemClock implements Clock {
  now(): Instant {
    return { mono: performance.now(), wall: Date.now() };
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return { id: t };
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle.id as NodeJS.Timeout);
  }
}

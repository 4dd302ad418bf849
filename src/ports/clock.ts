import type { Instant } from '../core/types.js';

/** Time as the agent sees it. Adapters read it; the core only receives `Instant`s. */
export interface Clock {
  now(): Instant;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

/**
 * Counts per-lift usage from the samples the agent already polls (EN 627-style data logging:
 * trips, door cycles, running time, faults by code). Pure bookkeeping: time arrives as mono
 * ms with each sample, so a wall-clock jump changes nothing. Bounded: one small record per
 * configured lift and one counter per alarm code.
 */
import type { SignalValues } from '../core/signals.js';
import type { LiftUsage } from '../store/usage-store.js';

/** Gaps between samples longer than this (a lost link) are not counted as running time. */
export const MAX_SAMPLE_GAP_MS = 10_000;

interface Last {
  moving: boolean | undefined;
  doorOpen: boolean | undefined;
  mono: number;
}

export function emptyUsage(): LiftUsage {
  return { trips: 0, doorCycles: 0, runningMs: 0, faults: {} };
}

export class UsageCounter {
  private readonly usage = new Map<string, LiftUsage>();
  private readonly last = new Map<string, Last>();

  constructor(private readonly liftIds: readonly string[]) {
    for (const id of liftIds) this.usage.set(id, emptyUsage());
  }

  /** A good sample of a lift at monotonic time `mono`. */
  sample(liftId: string, values: SignalValues, mono: number): void {
    const u = this.usage.get(liftId);
    if (!u) return;
    const prev = this.last.get(liftId);
    const moving = values.moving;
    const doorOpen = values.doorOpenLimit;
    if (!prev) {
      this.last.set(liftId, { moving, doorOpen, mono });
      return;
    }
    const dt = mono - prev.mono;
    if (prev.moving === true && dt > 0 && dt <= MAX_SAMPLE_GAP_MS) u.runningMs += dt;
    if (prev.moving === false && moving === true) u.trips++;
    if (prev.doorOpen === false && doorOpen === true) u.doorCycles++;
    // Updated in place: this runs for every poll of every lift.
    prev.moving = moving;
    prev.doorOpen = doorOpen;
    prev.mono = mono;
  }

  /** A poll failed: the next sample starts a new run (no edge across the gap). */
  lost(liftId: string): void {
    this.last.delete(liftId);
  }

  /** An alarm was raised. */
  fault(liftId: string, code: string): void {
    const u = this.usage.get(liftId);
    if (!u) return;
    u.faults[code] = (u.faults[code] ?? 0) + 1;
  }

  /** Current counts without resetting. */
  peek(): Map<string, LiftUsage> {
    return new Map([...this.usage].map(([k, v]) => [k, { ...v, faults: { ...v.faults } }]));
  }

  /** The counts since the last take(), and zeroes them. */
  take(): Map<string, LiftUsage> {
    const out = this.peek();
    for (const id of this.liftIds) this.usage.set(id, emptyUsage());
    return out;
  }
}

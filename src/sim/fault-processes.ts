/**
 * The random parts of fault behaviours (behaviours.ts): a contact that flickers at random
 * moments, the running contact dropping out mid-run. Each is a small time-stepped process
 * with its own seeded PRNG, so a behaviour replays identically for a given lift seed.
 */
import { Prng } from './prng.js';
import type { SimSignals } from './register-image.js';
import type { BooleanSignal } from '../core/signals.js';

/** What a process may know of the trip model. */
export interface RunView {
  /** The car runs (the model's own contact, before any behaviour). */
  moving: boolean;
  /** Simulated time left in the current run at rated speed. */
  runRemainingMs: number;
}

export interface FaultProcess {
  step(dtMs: number, run: RunView): void;
  apply(s: SimSignals): void;
}

export interface FlickerSpec {
  signal: BooleanSignal;
  /** Each flicker (the contact reading inverted) lasts uniform [minMs, maxMs]. */
  minMs: number;
  maxMs: number;
  /** Quiet time between flickers, uniform [minGapMs, maxGapMs]. */
  minGapMs: number;
  maxGapMs: number;
  /** Time only counts while the car runs (a switch shaken by travel). */
  whileMoving: boolean;
}

/** A contact that reads inverted for short random spells at random intervals. */
export class Flicker implements FaultProcess {
  private readonly spec: FlickerSpec;
  private readonly prng: Prng;
  private on = false;
  private leftMs: number;
  /** Flickers started so far. */
  count = 0;

  constructor(spec: FlickerSpec, seed: number) {
    this.spec = spec;
    this.prng = new Prng(seed);
    this.leftMs = this.gap();
  }

  step(dtMs: number, run: RunView): void {
    if (this.spec.whileMoving && !run.moving) {
      // A spell does not outlast the run that shook the contact.
      if (this.on) this.leftMs = this.gap();
      this.on = false;
      return;
    }
    let left = dtMs;
    while (left > 0) {
      const d = Math.min(left, this.leftMs);
      this.leftMs -= d;
      left -= d;
      if (this.leftMs > 0) break;
      this.on = !this.on;
      if (this.on) this.count++;
      this.leftMs = this.on ? this.prng.int(this.spec.minMs, this.spec.maxMs) : this.gap();
    }
  }

  apply(s: SimSignals): void {
    if (this.on) s[this.spec.signal] = !s[this.spec.signal];
  }

  private gap(): number {
    return this.prng.int(this.spec.minGapMs, this.spec.maxGapMs);
  }
}

export interface DropoutSpec {
  /** Dropouts per run, uniform [min, max] (fewer when the run is too short for them). */
  minPerRun: number;
  maxPerRun: number;
  /** Each dropout lasts uniform [minMs, maxMs]. */
  minMs: number;
  maxMs: number;
  /** None this close to the start or the end of a run (mid-run only). */
  marginMs: number;
}

/** The running contact drops for ~100 ms at random moments mid-run; the car keeps running. */
export class MovingDropout implements FaultProcess {
  private readonly spec: DropoutSpec;
  private readonly prng: Prng;
  private wasMoving = false;
  private inRunMs = 0;
  private plan: Array<{ at: number; until: number }> = [];
  /** Dropouts planned so far (one per dropout shown). */
  count = 0;

  constructor(spec: DropoutSpec, seed: number) {
    this.spec = spec;
    this.prng = new Prng(seed);
  }

  step(dtMs: number, run: RunView): void {
    if (run.moving && !this.wasMoving) this.planRun(run.runRemainingMs);
    this.wasMoving = run.moving;
    this.inRunMs = run.moving ? this.inRunMs + dtMs : 0;
  }

  apply(s: SimSignals): void {
    if (!this.wasMoving) return;
    if (this.plan.some((p) => this.inRunMs >= p.at && this.inRunMs < p.until)) s.moving = false;
  }

  private planRun(runMs: number): void {
    const { minPerRun, maxPerRun, minMs, maxMs, marginMs } = this.spec;
    const room = runMs - 2 * marginMs;
    const n = Math.min(this.prng.int(minPerRun, maxPerRun), Math.max(0, Math.floor(room / (2 * maxMs))));
    // n slots across the middle of the run, one dropout at a random point of each slot.
    const slot = n > 0 ? room / n : 0;
    this.plan = [];
    for (let i = 0; i < n; i++) {
      const len = this.prng.int(minMs, maxMs);
      const at = marginMs + i * slot + this.prng.next() * Math.max(0, slot - len);
      this.plan.push({ at, until: at + len });
    }
    this.count += n;
  }
}

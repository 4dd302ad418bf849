/**
 * A deterministic, time-stepped model of one lift's trips: idle at a landing with doors closed
 * and locked → a call → run (passing landings, door zone only near landing level) → arrive →
 * doors open → dwell → doors close → lock → idle. No clock and no Math.random inside: time
 * arrives through `step(dtMs)`, randomness from a seeded PRNG. Behaviours bend it through
 * `Constraints` (see behaviours.ts); traffic profiles (traffic.ts) set its timing and how the
 * next landing is chosen.
 */
import type { Direction } from '../core/signals.js';
import { NO_CONSTRAINTS, type Constraints } from './behaviours.js';
import { nextLanding, type CallPattern } from './call-pattern.js';
import { Prng } from './prng.js';

export interface LiftTiming {
  /** Travel time per floor at rated speed. */
  floorTimeMs: number;
  /** Full door stroke (open or close). */
  doorTimeMs: number;
  /** Doors held open at a landing. */
  dwellMs: number;
  /** With it, each dwell is uniform in [dwellMs, maxDwellMs] (busy landings hold the doors longer). */
  maxDwellMs?: number;
  /**
   * Doors held open after a reopen against an obstruction: controllers shorten the dwell once
   * the door has reversed, so the next closing attempt comes soon.
   */
  reopenDwellMs: number;
  /** From door closed limit to lock made. */
  lockMs: number;
  /**
   * From the car stopping at a landing to the door unlocking and starting to open (brake
   * applied, operator enabled; 0 = at once). Real controllers take a few hundred ms, so the
   * running contact has settled before the lock opens.
   */
  doorStartMs?: number;
  /** Idle time between trips is uniform in [minIdleMs, maxIdleMs]. */
  minIdleMs: number;
  maxIdleMs: number;
  /**
   * Half-width of the unlocking zone in floors (EN 81-20 5.12.1.4: at most 0.2 m, or 0.35 m
   * with a mechanical door, around landing level; about 0.1 of a 3 m floor here).
   */
  doorZoneFloors: number;
}

export const DEFAULT_TIMING: Readonly<LiftTiming> = {
  floorTimeMs: 2000,
  doorTimeMs: 3000,
  dwellMs: 5000,
  reopenDwellMs: 3000,
  lockMs: 300,
  minIdleMs: 3000,
  maxIdleMs: 12000,
  doorZoneFloors: 0.1,
};

export type Phase = 'idle' | 'running' | 'stuck' | 'opening' | 'dwell' | 'closing' | 'locking';

export interface LiftModelOptions {
  landings: number;
  seed: number;
  timing?: Partial<LiftTiming>;
  /** Random calls to random landings (default true). */
  autoTrips?: boolean;
  /** How automatic trips pick their landing (default: any other landing). */
  calls?: CallPattern;
  startFloor?: number;
}

/** What the trip model decides; the simulated lift adds fixed and behaviour signals. */
export interface TripState {
  phase: Phase;
  /** Car position in floors (0 = bottom landing level). */
  position: number;
  doorZone: boolean;
  doorOpenLimit: boolean;
  doorClosedLimit: boolean;
  doorLocked: boolean;
  moving: boolean;
  direction: Direction;
  floor: number;
  callRegistered: boolean;
  doorOpenCommand: boolean;
}

/** Internal sub-step, so phase changes and door-zone passes are never skipped over. */
const MAX_SUBSTEP_MS = 50;
/** A stuck car stops at least this far (in floors) from any landing: outside the door zone. */
const STUCK_DISTANCE = 0.4;
const EPS = 1e-9;
/** An obstructed or stalled door stops after 30-70 % of its closing stroke (door 1 = open). */
const PART_WAY_MIN = 0.3;
const PART_WAY_MAX = 0.7;

export class LiftModel {
  readonly landings: number;
  readonly timing: LiftTiming;
  autoTrips: boolean;
  readonly calls: CallPattern;
  private readonly prng: Prng;
  /** Fault randomness apart from the trips', so a door fault does not reshuffle the traffic. */
  private readonly faultPrng: Prng;
  private phase: Phase = 'idle';
  private position: number;
  private door = 0; // 0 closed .. 1 open
  private locked = true;
  private target: number | null = null;
  private timerMs: number;
  private floorIndicator: number;
  private halted = false;
  /** Door position (0 closed .. 1 open) where an obstructed door reverses or a stalled one stops. */
  private partWay = 0.5;
  /** The door is reopening (or dwelling) after reversing against an obstruction. */
  private reopened = false;
  /** Left of the doorStartMs wait after an arrival. */
  private doorWaitMs = 0;
  trips = 0;

  constructor(opts: LiftModelOptions) {
    this.landings = opts.landings;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.autoTrips = opts.autoTrips ?? true;
    this.calls = opts.calls ?? { kind: 'random' };
    this.prng = new Prng(opts.seed);
    this.faultPrng = new Prng((opts.seed ^ 0x9e3779b9) >>> 0);
    this.position = opts.startFloor ?? 0;
    this.floorIndicator = this.position;
    this.timerMs = this.idleTime();
  }

  /** Registers a call to `landing` (served when the car is next idle). */
  call(landing: number): void {
    this.target = Math.max(0, Math.min(this.landings - 1, Math.round(landing)));
  }

  step(dtMs: number, c: Constraints = NO_CONSTRAINTS): void {
    let left = dtMs;
    while (left > 0) {
      const dt = Math.min(left, MAX_SUBSTEP_MS);
      this.advance(dt, c);
      left -= dt;
    }
  }

  state(): TripState {
    const nearest = Math.round(this.position);
    const moving = this.phase === 'running' && !this.halted;
    const dir: Direction = !moving || this.target === null ? 'none' : this.target > this.position ? 'up' : 'down';
    return {
      phase: this.phase,
      position: this.position,
      doorZone: Math.abs(this.position - nearest) <= this.timing.doorZoneFloors + EPS,
      doorOpenLimit: this.door >= 1,
      doorClosedLimit: this.door <= 0,
      doorLocked: this.locked,
      moving,
      direction: dir,
      floor: this.floorIndicator,
      callRegistered: this.target !== null && this.phase !== 'opening' && this.phase !== 'dwell',
      doorOpenCommand: this.phase === 'opening' || this.phase === 'dwell',
    };
  }

  /** Simulated time left in the current run at rated speed (0 when not running). */
  remainingRunMs(): number {
    if (this.phase !== 'running' || this.target === null) return 0;
    return Math.abs(this.target - this.position) * this.timing.floorTimeMs;
  }

  private idleTime(): number {
    return this.prng.int(this.timing.minIdleMs, this.timing.maxIdleMs);
  }

  private advance(dt: number, c: Constraints): void {
    // Halt: drive and door operator stop where they are; nothing progresses.
    this.halted = c.halt;
    if (c.halt) return;
    switch (this.phase) {
      case 'idle':
        return this.idle(dt, c);
      case 'running':
        return this.run(dt, c);
      case 'stuck':
        if (!c.stuck) this.phase = 'running';
        return;
      case 'opening':
        if (this.doorWaitMs > 0) {
          this.doorWaitMs -= dt;
          return;
        }
        this.locked = false;
        if (c.doorWontOpen) return; // lock released, operator commanded, door does not move
        this.door = Math.min(1, this.door + dt / this.timing.doorTimeMs);
        if (this.door >= 1) {
          this.phase = 'dwell';
          this.timerMs = this.reopened && c.doorObstructed ? this.timing.reopenDwellMs : this.dwellTime();
          this.reopened = false;
        }
        return;
      case 'dwell':
        this.timerMs -= dt;
        if (c.stuck) this.timerMs = 0; // the fault scenario wants the car moving soon
        if (this.timerMs <= 0) {
          this.phase = 'closing';
          this.partWay = PART_WAY_MIN + (PART_WAY_MAX - PART_WAY_MIN) * this.faultPrng.next();
        }
        return;
      case 'closing':
        return this.closing(dt, c);
      case 'locking':
        this.timerMs -= dt;
        if (this.timerMs <= 0) {
          this.locked = true;
          this.phase = 'idle';
          this.timerMs = this.idleTime();
        }
        return;
    }
  }

  private closing(dt: number, c: Constraints): void {
    // A light curtain or safety edge sees an obstruction: the door reverses half-way shut.
    if (c.doorReopen && this.door <= 0.5) {
      this.phase = 'opening';
      return;
    }
    // Obstructed: the door reverses part-way, reopens fully, dwells briefly and tries again.
    if (c.doorObstructed && this.door <= this.partWay) {
      this.phase = 'opening';
      this.reopened = true;
      return;
    }
    // An obstructed operator stalls part-way: neither limit is reached.
    const stall = c.doorStall ? this.partWay : c.doorWontClose ? 0.2 : 0;
    if (this.door > stall) this.door = Math.max(stall, this.door - dt / this.timing.doorTimeMs);
    if (this.door <= 0) {
      this.door = 0;
      this.phase = 'locking';
      this.timerMs = this.timing.lockMs;
    }
  }

  private dwellTime(): number {
    const max = this.timing.maxDwellMs;
    return max !== undefined && max > this.timing.dwellMs ? this.prng.int(this.timing.dwellMs, max) : this.timing.dwellMs;
  }

  private idle(dt: number, c: Constraints): void {
    const here = Math.round(this.position);
    if (this.target === null && c.stuck && this.landings > 1) {
      this.target = here + 1 < this.landings ? here + 1 : here - 1;
    }
    if (this.target === null && this.autoTrips && !c.noNewTrips) {
      this.timerMs -= dt;
      if (this.timerMs > 0) return;
      this.target = nextLanding(this.calls, here, this.landings, this.prng);
    }
    if (this.target === null) return;
    if (c.noNewTrips && !c.stuck) return; // a registered call waits out inspection/fault
    if (this.target === here) {
      this.target = null; // a call at the landing where the car stands just opens the doors
      this.phase = 'opening';
    } else {
      this.phase = 'running';
      this.trips++;
    }
  }

  private run(dt: number, c: Constraints): void {
    const target = this.target ?? Math.round(this.position);
    if (c.stuck && Math.abs(this.position - Math.round(this.position)) >= STUCK_DISTANCE) {
      this.phase = 'stuck';
      return;
    }
    const stepFloors = dt / this.timing.floorTimeMs;
    const delta = target - this.position;
    this.position = Math.abs(delta) <= stepFloors ? target : this.position + Math.sign(delta) * stepFloors;
    const nearest = Math.round(this.position);
    // The indicator changes as the car enters a landing's door zone.
    if (Math.abs(this.position - nearest) <= this.timing.doorZoneFloors + EPS) this.floorIndicator = nearest;
    if (this.position === target) {
      this.floorIndicator = target;
      this.target = null;
      this.phase = 'opening';
      this.doorWaitMs = this.timing.doorStartMs ?? 0;
    }
  }
}

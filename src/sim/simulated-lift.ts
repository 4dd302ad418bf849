/**
 * One simulated lift as a Modbus unit: the trip model, its traffic profile (timing, landings,
 * contact bounce), the behaviours injected into it, and a direct override (`hold`) for tests.
 * Produces the register image of the simulator's map.
 */
import {
  applyOverlays,
  BEHAVIOUR_KINDS,
  combineConstraints,
  defaultDuration,
  isLinkFault,
  startProcess,
  type BehaviourKind,
  type BehaviourSpec,
  type LinkFaultKind,
} from './behaviours.js';
import { ContactBounce } from './bounce.js';
import type { FaultProcess } from './fault-processes.js';
import { LiftModel, type LiftTiming, type TripState } from './lift-model.js';
import { encodeRegisters, type SimSignals } from './register-image.js';
import type { TrafficProfile } from './traffic.js';

export interface SimulatedLiftOptions {
  unitId: number;
  landings: number;
  seed?: number;
  /** Timing, call pattern, bounce and chain wiring; `timing` below overrides its timing. */
  traffic?: TrafficProfile;
  timing?: Partial<LiftTiming>;
  autoTrips?: boolean;
  startFloor?: number;
  logger?: (line: string) => void;
}

interface Active {
  spec: BehaviourSpec;
  remainingMs: number | null;
  /** Simulated time since injection (time-varying behaviours such as chatter). */
  elapsedMs: number;
  process: FaultProcess | null;
}

export class SimulatedLift {
  readonly unitId: number;
  readonly landings: number;
  readonly model: LiftModel;
  readonly traffic: TrafficProfile | null;
  private readonly seed: number;
  private readonly bounce: ContactBounce | null;
  private readonly active = new Map<BehaviourKind, Active>();
  private overrides: Partial<SimSignals> | null = null;
  private readonly logger: ((line: string) => void) | undefined;
  /** Behaviours injected since construction. */
  faultsInjected = 0;
  /** Requests answered (or deliberately mangled) for this unit. */
  requestsServed = 0;

  constructor(opts: SimulatedLiftOptions) {
    this.unitId = opts.unitId;
    this.landings = opts.landings;
    this.logger = opts.logger;
    this.seed = opts.seed ?? opts.unitId;
    this.traffic = opts.traffic ?? null;
    const timing = opts.traffic || opts.timing ? { ...opts.traffic?.timing, ...opts.timing } : undefined;
    this.model = new LiftModel({
      landings: opts.landings,
      seed: this.seed,
      ...(timing ? { timing } : {}),
      ...(opts.traffic ? { calls: opts.traffic.calls } : {}),
      ...(opts.autoTrips !== undefined ? { autoTrips: opts.autoTrips } : {}),
      ...(opts.startFloor !== undefined ? { startFloor: opts.startFloor } : {}),
    });
    // Its own PRNG stream: bounce never reshuffles the trips of a given seed.
    this.bounce = opts.traffic?.bounce ? new ContactBounce(opts.traffic.bounce, mix(this.seed, 0xb0)) : null;
    this.bounce?.step(this.settledSignals(), 0);
  }

  /**
   * Advances simulated time: behaviour timers, then the trip model (unless held), then the
   * behaviours' random processes and the contacts' bounce.
   */
  step(dtMs: number): void {
    for (const [kind, a] of this.active) {
      a.elapsedMs += dtMs;
      if (a.remainingMs === null) continue;
      a.remainingMs -= dtMs;
      if (a.remainingMs <= 0) {
        this.active.delete(kind);
        this.log(`unit ${this.unitId}: ${kind} ended`);
      }
    }
    if (this.overrides === null) this.model.step(dtMs, combineConstraints(this.specs()));
    const run = { moving: this.model.state().moving, runRemainingMs: this.model.remainingRunMs() };
    for (const a of this.active.values()) a.process?.step(dtMs, run);
    this.bounce?.step(this.settledSignals(), dtMs);
  }

  /** Injects a behaviour; one of the same kind is replaced. */
  inject(spec: BehaviourSpec): void {
    // Seeded by lift, kind and injection count: the same script replays the same flickers.
    const seed = mix(mix(this.seed, BEHAVIOUR_KINDS.indexOf(spec.kind) + 1), this.faultsInjected + 1);
    this.active.set(spec.kind, { spec, remainingMs: defaultDuration(spec), elapsedMs: 0, process: startProcess(spec, seed) });
    this.faultsInjected++;
    const extra = spec.kind === 'fault-code' ? ` ${spec.code}` : '';
    const dur = defaultDuration(spec);
    this.log(`unit ${this.unitId}: ${spec.kind}${extra}${dur !== null ? ` for ${dur} ms` : ''}`);
  }

  /** Removes a behaviour; returns false if it was not active. */
  remove(kind: BehaviourKind): boolean {
    const had = this.active.delete(kind);
    if (had) this.log(`unit ${this.unitId}: ${kind} removed`);
    return had;
  }

  clearBehaviours(): void {
    this.active.clear();
  }

  behaviours(): BehaviourSpec[] {
    return this.specs();
  }

  /** Forces signals to values and freezes the trip model until `release()`. Calls merge. */
  hold(overrides: Partial<SimSignals>): void {
    this.overrides = { ...this.overrides, ...overrides };
  }

  release(): void {
    this.overrides = null;
  }

  /** Registers a call to a landing (0-based). */
  call(landing: number): void {
    this.model.call(landing);
  }

  trip(): TripState {
    return this.model.state();
  }

  /** The signals as read on the wire: settled values, contact bounce, then `hold` overrides. */
  signals(): SimSignals {
    const s = this.settledSignals();
    this.bounce?.apply(s);
    if (this.overrides) Object.assign(s, this.overrides);
    return s;
  }

  /** The signals without bounce and overrides: what each contact settles to. */
  settledSignals(): SimSignals {
    const t = this.model.state();
    // Landing and car door contacts in the chain: it opens whenever the doors are not shut and locked.
    const doorsInChain = this.traffic?.chainIncludesDoors === true;
    const s: SimSignals = {
      safetyChain: !doorsInChain || (t.doorClosedLimit && t.doorLocked),
      doorZone: t.doorZone,
      doorOpenLimit: t.doorOpenLimit,
      doorClosedLimit: t.doorClosedLimit,
      doorLocked: t.doorLocked,
      moving: t.moving,
      alarmButton: false,
      inspection: false,
      fireService: false,
      outOfService: false,
      overload: false,
      mainsPower: true,
      endOfAlarm: false,
      controlVoltage: true,
      carLight: true,
      alarmDeviceFault: false,
      callRegistered: t.callRegistered,
      doorOpenCommand: t.doorOpenCommand,
      floor: t.floor,
      direction: t.direction,
      faultCode: 0,
    };
    applyOverlays(s, this.specs(), (spec) => this.active.get(spec.kind)?.elapsedMs ?? 0);
    for (const a of this.active.values()) a.process?.apply(s);
    return s;
  }

  /** HR0..HR4 of the simulator's map. */
  registers(): number[] {
    return encodeRegisters(this.signals());
  }

  /** Active link-level faults. */
  linkFaults(): Set<LinkFaultKind> {
    const out = new Set<LinkFaultKind>();
    for (const kind of this.active.keys()) if (isLinkFault(kind)) out.add(kind);
    return out;
  }

  private specs(): BehaviourSpec[] {
    return [...this.active.values()].map((a) => a.spec);
  }

  private log(line: string): void {
    this.logger?.(line);
  }
}

/** Derives a seed from two numbers (a 32-bit multiply-xorshift mix). */
function mix(a: number, b: number): number {
  let h = Math.imul((a ^ 0x85ebca6b) >>> 0, 0x9e3779b1) ^ Math.imul(b >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

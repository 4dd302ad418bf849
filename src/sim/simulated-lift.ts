/**
 * One simulated lift as a Modbus unit: the trip model, the behaviours injected into it, and
 * a direct override (`hold`) for tests. Produces the register image of the simulator's map.
 */
import {
  applyOverlays,
  combineConstraints,
  defaultDuration,
  isLinkFault,
  type BehaviourKind,
  type BehaviourSpec,
  type LinkFaultKind,
} from './behaviours.js';
import { LiftModel, type LiftTiming, type TripState } from './lift-model.js';
import { encodeRegisters, type SimSignals } from './register-image.js';

export interface SimulatedLiftOptions {
  unitId: number;
  landings: number;
  seed?: number;
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
}

export class SimulatedLift {
  readonly unitId: number;
  readonly landings: number;
  readonly model: LiftModel;
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
    this.model = new LiftModel({
      landings: opts.landings,
      seed: opts.seed ?? opts.unitId,
      ...(opts.timing ? { timing: opts.timing } : {}),
      ...(opts.autoTrips !== undefined ? { autoTrips: opts.autoTrips } : {}),
      ...(opts.startFloor !== undefined ? { startFloor: opts.startFloor } : {}),
    });
  }

  /** Advances simulated time: behaviour timers, then the trip model (unless held). */
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
  }

  /** Injects a behaviour; one of the same kind is replaced. */
  inject(spec: BehaviourSpec): void {
    this.active.set(spec.kind, { spec, remainingMs: defaultDuration(spec), elapsedMs: 0 });
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

  signals(): SimSignals {
    const t = this.model.state();
    const s: SimSignals = {
      safetyChain: true,
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
    if (this.overrides) Object.assign(s, this.overrides);
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

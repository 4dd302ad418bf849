/**
 * Behaviours: small, combinable changes to a simulated lift, injectable at any time and
 * removable. Each is plain data (a `BehaviourSpec`) plus a descriptor saying how it bends the
 * trip model (constraints), the signals (overlay, or a seeded random process) or the Modbus
 * link (link fault). Fault names follow the alarm taxonomy in docs/alarms.md.
 */
import { Flicker, MovingDropout, type FaultProcess } from './fault-processes.js';
import type { SimSignals } from './register-image.js';
import type { BooleanSignal } from '../core/signals.js';

export const LINK_FAULTS = ['silent', 'bad-crc', 'short-frame', 'exception', 'garbage'] as const;
export type LinkFaultKind = (typeof LINK_FAULTS)[number];

export const BEHAVIOUR_KINDS = [
  'stuck-between-floors',
  'door-wont-close',
  'door-wont-open',
  'safety-chain-open',
  'alarm-button',
  'end-of-alarm',
  'mains-lost',
  'inspection',
  'fault-code',
  // One behaviour per remaining taxonomy input, so every alarm can be driven end to end.
  'fire-service',
  'overload',
  'out-of-service',
  'control-voltage-low',
  'car-light-off',
  'alarm-device-fault',
  'door-lock-lost',
  'door-reopen',
  'chatter',
  // The masking corpus: real faults whose contact pattern a monitor could mistake for a
  // sensor problem (or a sensor problem it could mistake for a fault).
  'door-obstructed',
  'door-stalled',
  'loose-contact',
  'moving-dropout',
  'bad-door-limit',
  ...LINK_FAULTS,
] as const;
export type BehaviourKind = (typeof BEHAVIOUR_KINDS)[number];

/** Kinds whose spec names the signal they act on. */
export const SIGNAL_KINDS = ['chatter', 'loose-contact', 'bad-door-limit'] as const;
export type DoorLimit = 'doorOpenLimit' | 'doorClosedLimit';

/**
 * A behaviour as data. `durationMs` (optional on all) removes it by itself after that long of
 * simulated time; for `alarm-button` it is how long the button is held, for `end-of-alarm`
 * the pulse length (default 1000 ms).
 */
export type BehaviourSpec =
  | { kind: Exclude<BehaviourKind, 'fault-code' | (typeof SIGNAL_KINDS)[number]>; durationMs?: number }
  | { kind: 'fault-code'; code: number; durationMs?: number }
  /** A regular square wave: `signal` reads inverted for `periodMs / 2` of every `periodMs` (default 2000). */
  | { kind: 'chatter'; signal: BooleanSignal; periodMs?: number; durationMs?: number }
  /** A loose contact: `signal` reads inverted for 50-400 ms at random, every 1-4 s, at rest or not. */
  | { kind: 'loose-contact'; signal: BooleanSignal; durationMs?: number }
  /** A worn door limit switch: it flickers for 50-300 ms every 0.5-2 s of car travel. */
  | { kind: 'bad-door-limit'; signal: DoorLimit; durationMs?: number };

/** How behaviours bend the trip model; OR-ed over all active behaviours. */
export interface Constraints {
  /** Drive and door operator stop where they are (no mains, safety chain open). */
  halt: boolean;
  /** The car stops mid-travel outside the door zone (and starts a trip to get there). */
  stuck: boolean;
  doorWontClose: boolean;
  doorWontOpen: boolean;
  /** No new automatic trips (inspection, controller fault). */
  noNewTrips: boolean;
  /** A closing door is sent open again before it shuts (obstruction, light curtain). */
  doorReopen?: boolean;
  /** A closing door reverses part-way, reopens, dwells briefly and tries again. */
  doorObstructed?: boolean;
  /** A closing door stops part-way and stays there. */
  doorStall?: boolean;
}

export const NO_CONSTRAINTS: Readonly<Constraints> = {
  halt: false,
  stuck: false,
  doorWontClose: false,
  doorWontOpen: false,
  noNewTrips: false,
};

interface Descriptor {
  constraints?: Partial<Constraints>;
  /** `elapsedMs`: simulated time since the behaviour was injected. */
  overlay?: (s: SimSignals, spec: BehaviourSpec, elapsedMs: number) => void;
  /** A seeded random process, started at injection (its `apply` runs after the overlays). */
  process?: (spec: BehaviourSpec, seed: number) => FaultProcess;
  defaultDurationMs?: number;
}

const signalOf = (spec: BehaviourSpec, fallback: BooleanSignal): BooleanSignal => ('signal' in spec ? spec.signal : fallback);

const DESCRIPTORS: Record<BehaviourKind, Descriptor> = {
  'stuck-between-floors': { constraints: { stuck: true } },
  'door-wont-close': { constraints: { doorWontClose: true } },
  'door-wont-open': { constraints: { doorWontOpen: true } },
  // An open safety chain stops the drive at once (EN 81-20 5.11.2).
  'safety-chain-open': { constraints: { halt: true, noNewTrips: true }, overlay: (s) => void (s.safetyChain = false) },
  'alarm-button': { overlay: (s) => void (s.alarmButton = true) },
  'end-of-alarm': { overlay: (s) => void (s.endOfAlarm = true), defaultDurationMs: 1000 },
  // Mains off: drive stops; control voltage, car light and alarm device run on the battery.
  'mains-lost': { constraints: { halt: true, noNewTrips: true }, overlay: (s) => void (s.mainsPower = false) },
  'inspection': { constraints: { noNewTrips: true }, overlay: (s) => void (s.inspection = true) },
  'fault-code': {
    constraints: { noNewTrips: true },
    overlay: (s, spec) => void (s.faultCode = spec.kind === 'fault-code' ? spec.code : s.faultCode),
  },
  'fire-service': { constraints: { noNewTrips: true }, overlay: (s) => void (s.fireService = true) },
  'overload': { constraints: { noNewTrips: true }, overlay: (s) => void (s.overload = true) },
  'out-of-service': { constraints: { noNewTrips: true }, overlay: (s) => void (s.outOfService = true) },
  'control-voltage-low': { overlay: (s) => void (s.controlVoltage = false) },
  'car-light-off': { overlay: (s) => void (s.carLight = false) },
  'alarm-device-fault': { overlay: (s) => void (s.alarmDeviceFault = true) },
  // A landing door forced open: the lock circuit drops and the drive stops at once (EN 81-20 5.3.9).
  'door-lock-lost': { constraints: { halt: true, noNewTrips: true }, overlay: (s) => void (s.doorLocked = false) },
  'door-reopen': { constraints: { doorReopen: true } },
  'chatter': {
    overlay: (s, spec, elapsedMs) => {
      if (spec.kind !== 'chatter') return;
      const period = spec.periodMs ?? 2000;
      if (elapsedMs % period >= period / 2) s[spec.signal] = !s[spec.signal];
    },
  },
  // A door reversing against an obstruction (light curtain, safety edge, a passenger's bag):
  // EN 627 DOOR_CLOSE_FAULT territory, never a chattering limit.
  'door-obstructed': { constraints: { doorObstructed: true } },
  'door-stalled': { constraints: { doorStall: true } },
  'loose-contact': {
    process: (spec, seed) =>
      new Flicker({ signal: signalOf(spec, 'safetyChain'), minMs: 50, maxMs: 400, minGapMs: 1000, maxGapMs: 4000, whileMoving: false }, seed),
  },
  // The contactor's auxiliary contact opening for ~100 ms on vibration; the drive does not stop.
  'moving-dropout': {
    process: (_spec, seed) => new MovingDropout({ minPerRun: 1, maxPerRun: 3, minMs: 80, maxMs: 120, marginMs: 500 }, seed),
  },
  'bad-door-limit': {
    process: (spec, seed) =>
      new Flicker({ signal: signalOf(spec, 'doorClosedLimit'), minMs: 50, maxMs: 300, minGapMs: 500, maxGapMs: 2000, whileMoving: true }, seed),
  },
  'silent': {},
  'bad-crc': {},
  'short-frame': {},
  'exception': {},
  'garbage': {},
};

export function isBehaviourKind(name: string): name is BehaviourKind {
  return (BEHAVIOUR_KINDS as readonly string[]).includes(name);
}

export function isLinkFault(kind: BehaviourKind): kind is LinkFaultKind {
  return (LINK_FAULTS as readonly string[]).includes(kind);
}

export function defaultDuration(spec: BehaviourSpec): number | null {
  return spec.durationMs ?? DESCRIPTORS[spec.kind].defaultDurationMs ?? null;
}

export function combineConstraints(specs: Iterable<BehaviourSpec>): Constraints {
  const out: Constraints = { ...NO_CONSTRAINTS };
  for (const spec of specs) {
    const c = DESCRIPTORS[spec.kind].constraints;
    if (!c) continue;
    for (const key of Object.keys(c) as Array<keyof Constraints>) if (c[key]) out[key] = true;
  }
  return out;
}

export function applyOverlays(signals: SimSignals, specs: Iterable<BehaviourSpec>, elapsed: (spec: BehaviourSpec) => number = () => 0): void {
  for (const spec of specs) DESCRIPTORS[spec.kind].overlay?.(signals, spec, elapsed(spec));
}

/** The behaviour's random process, if it has one, seeded for this injection. */
export function startProcess(spec: BehaviourSpec, seed: number): FaultProcess | null {
  return DESCRIPTORS[spec.kind].process?.(spec, seed) ?? null;
}

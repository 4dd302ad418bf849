/**
 * liftwatch's canonical lift signals: what every field adapter (Modbus controller map,
 * Modbus digital-input module, plain serial frames) must produce, and all the core reads.
 *
 * Polarity is fixed here once, so rules never guess: a boolean signal is `true` when the
 * named thing is *present*. `safetyChain: true` means the chain is closed (healthy);
 * `mainsPower: true` means mains is present; `alarmButton: true` means pressed.
 * A profile or a wiring entry with `invert: true` adapts a contact of the other polarity.
 */

export const BOOLEAN_SIGNALS = [
  'safetyChain', // safety circuit closed (EN 81-20 5.11.2)
  'doorZone', // car inside the unlocking zone of a landing (EN 81-20 3.42)
  'doorOpenLimit', // door fully open limit reached
  'doorClosedLimit', // door fully closed limit reached
  'doorLocked', // landing/car door lock circuit made
  'moving', // car is running
  'alarmButton', // car alarm push pressed (EN 81-28)
  'inspection', // inspection / maintenance operation selected
  'fireService', // fire-fighter / fire recall / earthquake mode
  'outOfService', // controller reports out of service (fault mode, switched off)
  'overload', // load weighing: overload
  'mainsPower', // mains supply present (EN 627: mains supply off)
  'endOfAlarm', // on-site end-of-alarm input (EN 81-28: end of alarm by a competent person)
  'controlVoltage', // control voltage present/sufficient (EN 627: control voltage too low)
  'carLight', // car light supply present (EN 627: car light supply off)
  'alarmDeviceFault', // the EN 81-28 alarm device reports a fault
  'callRegistered', // at least one car or landing call registered
  'doorOpenCommand', // controller commands the door to open
] as const;

export type BooleanSignal = (typeof BOOLEAN_SIGNALS)[number];

export const NUMERIC_SIGNALS = [
  'floor', // 0-based index into the lift's `landings` list
  'faultCode', // controller's raw fault code; 0 = no fault
] as const;

export type NumericSignal = (typeof NUMERIC_SIGNALS)[number];

export const DIRECTIONS = ['none', 'up', 'down'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export type SignalName = BooleanSignal | NumericSignal | 'direction';

export const SIGNAL_NAMES: readonly SignalName[] = [
  ...BOOLEAN_SIGNALS,
  ...NUMERIC_SIGNALS,
  'direction',
];

/** One decoded reading of a lift. A signal the profile does not provide is absent (undefined). */
export type SignalValues = {
  [K in BooleanSignal]?: boolean;
} & {
  [K in NumericSignal]?: number;
} & {
  direction?: Direction;
};

export function isBooleanSignal(name: string): name is BooleanSignal {
  return (BOOLEAN_SIGNALS as readonly string[]).includes(name);
}

export function isSignalName(name: string): name is SignalName {
  return (SIGNAL_NAMES as readonly string[]).includes(name);
}

/**
 * The simulator's register image: one lift's signals encoded per the simulator's Modbus map
 * (the shared contract with the profile devices/liftwatch-sim.yaml).
 *   HR0 status bits, HR1 floor, HR2 direction (0 none, 1 up, 2 down), HR3 fault code,
 *   HR4 bit 0 callRegistered, bit 1 doorOpenCommand.
 * Input registers 0..4 mirror HR0..4; discrete inputs and coils 0..15 mirror the HR0 bits.
 */
import type { Direction } from '../core/signals.js';

/** HR0 bit order, bit 0 = least significant. */
export const STATUS_BITS = [
  'safetyChain',
  'doorZone',
  'doorOpenLimit',
  'doorClosedLimit',
  'doorLocked',
  'moving',
  'alarmButton',
  'inspection',
  'fireService',
  'outOfService',
  'overload',
  'mainsPower',
  'endOfAlarm',
  'controlVoltage',
  'carLight',
  'alarmDeviceFault',
] as const;

export type StatusBit = (typeof STATUS_BITS)[number];

/** Everything the simulated controller exposes. */
export type SimSignals = { [K in StatusBit]: boolean } & {
  callRegistered: boolean;
  doorOpenCommand: boolean;
  floor: number;
  direction: Direction;
  faultCode: number;
};

export const REGISTER_COUNT = 5;

const DIRECTION_CODE: Record<Direction, number> = { none: 0, up: 1, down: 2 };

/** Encodes signals into HR0..HR4 (each 0..0xFFFF). */
export function encodeRegisters(s: SimSignals): number[] {
  let status = 0;
  STATUS_BITS.forEach((name, bit) => {
    if (s[name]) status |= 1 << bit;
  });
  const aux = (s.callRegistered ? 1 : 0) | (s.doorOpenCommand ? 2 : 0);
  return [status, s.floor & 0xffff, DIRECTION_CODE[s.direction], s.faultCode & 0xffff, aux];
}

/** Decodes HR0..HR4 back into signals (used by tests and the bench). */
export function decodeRegisters(regs: readonly number[]): SimSignals {
  const status = regs[0] ?? 0;
  const out = {} as SimSignals;
  STATUS_BITS.forEach((name, bit) => {
    out[name] = ((status >> bit) & 1) === 1;
  });
  const aux = regs[4] ?? 0;
  out.callRegistered = (aux & 1) === 1;
  out.doorOpenCommand = (aux & 2) === 2;
  out.floor = regs[1] ?? 0;
  const dir = regs[2] ?? 0;
  out.direction = dir === 1 ? 'up' : dir === 2 ? 'down' : 'none';
  out.faultCode = regs[3] ?? 0;
  return out;
}

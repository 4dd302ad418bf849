/**
 * Checksums of plain serial status frames: sum-8 and XOR-8 (the usual one-byte
 * block checks of printer and monitoring ports) and CRC-16/MODBUS. The CRC is the one the
 * Modbus simulator uses (Modbus over Serial Line v1.02, 6.2.2 and Appendix B), imported
 * rather than copied so there is one implementation.
 */
import { crc16 } from '../modbus/crc16.js';
import type { ChecksumKind } from './spec.js';

/** Sum of bytes [start, end) modulo 256. */
export function sum8(data: Uint8Array, start = 0, end = data.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + (data[i] ?? 0)) & 0xff;
  return s;
}

/** XOR of bytes [start, end) (a longitudinal parity byte). */
export function xor8(data: Uint8Array, start = 0, end = data.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= data[i] ?? 0;
  return x;
}

/** CRC-16/MODBUS of bytes [start, end): poly 0x8005 reflected, init 0xFFFF, no final xor. */
export function crc16Modbus(data: Uint8Array, start = 0, end = data.length): number {
  return crc16(data, start, end);
}

export function checksumSize(kind: ChecksumKind): 1 | 2 {
  return kind === 'crc16-modbus' ? 2 : 1;
}

export function computeChecksum(kind: ChecksumKind, data: Uint8Array, start: number, end: number): number {
  if (kind === 'sum8') return sum8(data, start, end);
  if (kind === 'xor8') return xor8(data, start, end);
  return crc16Modbus(data, start, end);
}

/** Reads a checksum stored at `at`: one byte, or two in the given order (Modbus RTU: little). */
export function readChecksum(kind: ChecksumKind, data: Uint8Array, at: number, endian: 'big' | 'little'): number {
  const a = data[at] ?? 0;
  if (checksumSize(kind) === 1) return a;
  const b = data[at + 1] ?? 0;
  return endian === 'little' ? a | (b << 8) : (a << 8) | b;
}

/** The checksum's bytes in wire order. */
export function checksumBytes(kind: ChecksumKind, value: number, endian: 'big' | 'little'): number[] {
  if (checksumSize(kind) === 1) return [value & 0xff];
  const lo = value & 0xff;
  const hi = (value >>> 8) & 0xff;
  return endian === 'little' ? [lo, hi] : [hi, lo];
}

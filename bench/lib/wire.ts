/**
 * The wire-limited rate of a real RS-485 line for a Modbus RTU read transaction, from frame
 * sizes (Modbus over serial line v1.02 §2.5: a character is 1 start + 8 data + parity + stop
 * bits = 11 bits with parity, 10 without as configured here; frames are separated by ≥ 3.5
 * character times). Request: address, function, start (2), quantity (2), CRC (2) = 8 bytes.
 * Response: address, function, byte count, data, CRC (2) = 5 + data bytes (2·N for registers,
 * ⌈N/8⌉ for coils and discrete inputs). Slave turnaround time is not counted, so a real line is
 * slower still.
 */
import type { ReadPlan } from '../../src/field/read-plan.js';

export function responseBytes(req: ReadPlan['requests'][number]): number {
  return req.table === 'holding' || req.table === 'input' ? 5 + 2 * req.count : 5 + Math.ceil(req.count / 8);
}

/** Seconds one transaction occupies the line: both frames plus a 3.5-character gap after each. */
export function wireSeconds(req: ReadPlan['requests'][number], baud: number, bitsPerChar: 10 | 11): number {
  const chars = 8 + responseBytes(req) + 2 * 3.5;
  return (chars * bitsPerChar) / baud;
}

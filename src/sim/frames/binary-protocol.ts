/**
 * The simulator's binary enquiry/response protocol (devices/binary-enquiry-example.yaml is
 * its profile; change both together). Every frame:
 *   02 | unit | type | N | N data bytes | CRC-16/MODBUS over unit..data, low byte first
 * The monitor sends an enquiry (type 05, N = 0); the addressed unit answers with a status
 * frame (type 31, N = 8): status bits (2 bytes, big-endian; the Modbus map's HR0 bits),
 * floor, direction (0 none, 1 up, 2 down), fault code (2 bytes, big-endian), aux bits
 * (bit 0 call registered, bit 1 door-open command), 00. An enquiry it cannot serve gets a
 * NAK frame (type 15, N = 0) when the lift is told to answer with an exception.
 */
import { crc16 } from '../../protocol/modbus/crc16.js';
import { encodeRegisters, type SimSignals } from '../register-image.js';

export const STX = 0x02;
export const TYPE_ENQ = 0x05;
export const TYPE_STATUS = 0x31;
export const TYPE_NAK = 0x15;

export function frame(unit: number, type: number, data: readonly number[]): Buffer {
  const body = Buffer.from([STX, unit & 0xff, type, data.length, ...data]);
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16(body, 1, body.length), body.length);
  return out;
}

export function statusFrame(unit: number, s: SimSignals): Buffer {
  const [status = 0, floor = 0, dir = 0, fault = 0, aux = 0] = encodeRegisters(s);
  return frame(unit, TYPE_STATUS, [status >> 8, status & 0xff, floor & 0xff, dir, fault >> 8, fault & 0xff, aux, 0]);
}

export function enquiryFrame(unit: number): Buffer {
  return frame(unit, TYPE_ENQ, []);
}

/**
 * Finds enquiries in received bytes. Returns the units asked for and the bytes to keep (a
 * possibly incomplete enquiry at the end). Anything else is skipped.
 */
export function parseEnquiries(buf: Buffer): { units: number[]; rest: Buffer; badCrc: number } {
  const units: number[] = [];
  let badCrc = 0;
  let i = 0;
  for (;;) {
    const at = buf.indexOf(STX, i);
    if (at < 0) return { units, rest: Buffer.alloc(0), badCrc };
    if (buf.length - at < 6) return { units, rest: Buffer.from(buf.subarray(at)), badCrc };
    const unit = buf[at + 1] ?? 0;
    if (buf[at + 2] === TYPE_ENQ && buf[at + 3] === 0) {
      if (buf.readUInt16LE(at + 4) === crc16(buf, at + 1, at + 4)) {
        units.push(unit);
        i = at + 6;
        continue;
      }
      badCrc++;
    }
    i = at + 1;
  }
}

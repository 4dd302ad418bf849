/**
 * CRC-16/MODBUS (poly 0xA001 reflected = 0x8005, init 0xFFFF, no final xor), table-driven.
 * Modbus over Serial Line Specification v1.02, section 6.2.2 and Appendix B.
 * The CRC is appended low byte first (section 2.5.1.2).
 */

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
}

const TABLE = buildTable();

/** CRC of `data[start..end)`. */
export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc = (crc >>> 8) ^ (TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0);
  }
  return crc;
}

/** `body` followed by its CRC, low byte first. */
export function appendCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body, 0);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** True when the last two bytes of `frame` are the CRC of the rest. */
export function hasValidCrc(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const n = frame.length - 2;
  const got = (frame[n] ?? 0) | ((frame[n + 1] ?? 0) << 8);
  return got === crc16(frame, 0, n);
}

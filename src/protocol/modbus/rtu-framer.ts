/**
 * Modbus RTU request framing over a byte stream (Modbus over Serial Line V1.02, 2.5.1).
 * A real slave delimits frames by 3.5 character times of silence; over a byte stream (a pty,
 * a TCP socket) we cannot see silence, so a request is complete once we hold unit + function
 * code + the function's fixed length (8 bytes for FC01-06). Noise is tolerated by resync: a
 * candidate that fails the CRC, or whose unit or function code cannot start a request, is
 * dropped one byte at a time. A frame with a bad CRC is ignored, as a real slave does (2.5.1.2).
 */
import { appendCrc, hasValidCrc } from './crc16.js';

export interface RtuRequest {
  unit: number;
  /** Function code + data, without address and CRC. */
  pdu: Buffer;
}

export interface RtuFramerStats {
  /** Candidate frames rejected for a bad CRC (a run of resync drops counts once). */
  crcErrors: number;
  /** Bytes thrown away while resyncing. */
  discardedBytes: number;
}

/** Largest unit address on a serial line (2.2: 1..247, 0 = broadcast). */
const MAX_UNIT = 247;
/** Cap on buffered bytes; an RTU ADU is at most 256 bytes (2.5.1). */
const MAX_BUFFER = 512;

/**
 * Length of the request that starts at `buf[0]`: a number, 'more' when more bytes are needed
 * to know, or 'unknown' for a function code we cannot frame.
 */
export function rtuRequestLength(buf: Uint8Array): number | 'more' | 'unknown' {
  if (buf.length < 2) return 'more';
  const fc = buf[1] ?? 0;
  switch (fc) {
    case 0x01: // read coils
    case 0x02: // read discrete inputs
    case 0x03: // read holding registers
    case 0x04: // read input registers
    case 0x05: // write single coil
    case 0x06: // write single register
      return 8; // unit + fc + address(2) + quantity/value(2) + crc(2)
    case 0x07: // read exception status (serial line only)
    case 0x0b: // get comm event counter
    case 0x0c: // get comm event log
    case 0x11: // report server id
      return 4; // unit + fc + crc(2)
    case 0x0f: // write multiple coils
    case 0x10: // write multiple registers
      if (buf.length < 7) return 'more';
      return 7 + (buf[6] ?? 0) + 2; // unit fc addr(2) qty(2) byteCount data crc(2)
    default:
      return 'unknown';
  }
}

export class RtuRequestFramer {
  private buf: Buffer = Buffer.alloc(0);
  private inBadRun = false;
  readonly stats: RtuFramerStats = { crcErrors: 0, discardedBytes: 0 };

  /** Feeds received bytes; returns every complete, CRC-valid request now available. */
  push(chunk: Uint8Array): RtuRequest[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_BUFFER) this.drop(this.buf.length - MAX_BUFFER);
    const out: RtuRequest[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const unit = this.buf[0] ?? 0;
      const len = unit > MAX_UNIT ? 'unknown' : rtuRequestLength(this.buf);
      if (len === 'unknown') {
        this.drop(1);
        continue;
      }
      if (len === 'more' || this.buf.length < len) {
        // Perhaps this "start" was noise and a whole valid request follows it already.
        const later = this.findValidFrame(1);
        if (later < 0) break;
        this.drop(later);
        continue;
      }
      const frame = this.buf.subarray(0, len);
      if (!hasValidCrc(frame)) {
        if (!this.inBadRun) this.stats.crcErrors++;
        this.inBadRun = true;
        this.drop(1);
        continue;
      }
      out.push({ unit, pdu: Buffer.from(frame.subarray(1, len - 2)) });
      this.buf = this.buf.subarray(len);
      this.inBadRun = false;
    }
    return out;
  }

  /** Discards any partial frame (e.g. when the stream closes). */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.inBadRun = false;
  }

  private drop(n: number): void {
    this.stats.discardedBytes += n;
    this.buf = this.buf.subarray(n);
  }

  private findValidFrame(from: number): number {
    for (let o = from; o + 4 <= this.buf.length; o++) {
      if ((this.buf[o] ?? 0) > MAX_UNIT) continue;
      const rest = this.buf.subarray(o);
      const len = rtuRequestLength(rest);
      if (typeof len === 'number' && len <= rest.length && hasValidCrc(rest.subarray(0, len))) return o;
    }
    return -1;
  }
}

/** An RTU response ADU: address + PDU + CRC (2.5.1). */
export function encodeRtu(unit: number, pdu: Uint8Array): Buffer {
  const body = Buffer.alloc(1 + pdu.length);
  body[0] = unit;
  body.set(pdu, 1);
  return appendCrc(body);
}

/**
 * Modbus TCP framing: the MBAP header (Modbus Messaging on TCP/IP Implementation Guide
 * V1.0b, 3.1.3): transaction id (2), protocol id (2, 0 = Modbus), length (2, counts the unit
 * id and the PDU), unit id (1); then the PDU. TCP is reliable, so there is no CRC.
 */

export interface MbapRequest {
  transactionId: number;
  unit: number;
  pdu: Buffer;
}

export interface MbapFramerStats {
  /** Headers that could not be Modbus (protocol id not 0, impossible length); buffer dropped. */
  badHeaders: number;
}

const HEADER = 7;
/** A PDU is at most 253 bytes (MB-AP 4.1), so length = 1 + PDU is at most 254. */
const MAX_LENGTH = 254;

export class MbapFramer {
  private buf: Buffer = Buffer.alloc(0);
  readonly stats: MbapFramerStats = { badHeaders: 0 };

  push(chunk: Uint8Array): MbapRequest[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: MbapRequest[] = [];
    while (this.buf.length >= HEADER) {
      const protocolId = this.buf.readUInt16BE(2);
      const length = this.buf.readUInt16BE(4);
      if (protocolId !== 0 || length < 2 || length > MAX_LENGTH) {
        // No way to find the next header in a corrupted TCP stream: drop what we have.
        this.stats.badHeaders++;
        this.buf = Buffer.alloc(0);
        break;
      }
      if (this.buf.length < 6 + length) break;
      out.push({
        transactionId: this.buf.readUInt16BE(0),
        unit: this.buf[6] ?? 0,
        pdu: Buffer.from(this.buf.subarray(HEADER, 6 + length)),
      });
      this.buf = this.buf.subarray(6 + length);
    }
    return out;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

export function encodeMbap(transactionId: number, unit: number, pdu: Uint8Array): Buffer {
  const out = Buffer.alloc(HEADER + pdu.length);
  out.writeUInt16BE(transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out[6] = unit;
  out.set(pdu, HEADER);
  return out;
}

/**
 * Finds binary frames in a byte stream: start byte(s), then a fixed length or a length field,
 * then (optionally) a checksum and end byte(s). On anything wrong (impossible length, bad
 * checksum, wrong end byte) it skips one byte and searches for the next start, so a good frame
 * right after a bad one, or inside garbage, is still found (on a noisy line the reader
 * resynchronises on the next good frame). Memory is bounded: it never holds more than one maximal frame.
 */
import type { ChecksumKind } from './spec.js';
import { checksumSize, computeChecksum, readChecksum } from './checksum.js';
import { newFrameCounters, type FrameCounters, type Framer } from './counters.js';

export interface BinaryFraming {
  start: readonly number[];
  fixedLength?: number;
  length?: { byte: number; size: 1 | 2; endian: 'big' | 'little'; adjust: number };
  checksum?: { type: ChecksumKind; from: number; endian: 'big' | 'little' };
  end: readonly number[];
  maxFrameLength: number;
}

/** The shortest frame the framing allows: header (start, length field), checksum, end. */
export function minFrameLength(f: BinaryFraming): number {
  const header = f.length ? Math.max(f.start.length, f.length.byte + f.length.size) : f.start.length;
  const from = f.checksum ? f.checksum.from : 0;
  return Math.max(header, from) + (f.checksum ? checksumSize(f.checksum.type) : 0) + f.end.length;
}

export class BinaryFramer implements Framer {
  readonly counters: FrameCounters = newFrameCounters();
  private buf: Buffer = Buffer.alloc(0);
  private readonly start: Buffer;
  private readonly end: Buffer;
  private readonly min: number;

  constructor(private readonly f: BinaryFraming) {
    this.start = Buffer.from(f.start);
    this.end = Buffer.from(f.end);
    this.min = minFrameLength(f);
  }

  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.counters.bytesIn += chunk.length;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    return this.scan();
  }

  expire(): Buffer[] {
    const out: Buffer[] = [];
    while (this.buf.length > 0) {
      if (this.buf.subarray(0, this.start.length).equals(this.start)) this.counters.partialDropped++;
      this.skip(1);
      out.push(...this.scan());
    }
    return out;
  }

  private skip(n: number): void {
    this.counters.discardedBytes += n;
    this.buf = this.buf.subarray(n);
  }

  private scan(): Buffer[] {
    const out: Buffer[] = [];
    for (;;) {
      const at = this.buf.indexOf(this.start);
      if (at < 0) {
        // Keep a tail that may be the beginning of a start sequence split across chunks.
        const keep = Math.min(this.buf.length, this.start.length - 1);
        this.skip(this.buf.length - keep);
        break;
      }
      if (at > 0) this.skip(at);
      const total = this.frameLength();
      if (total === null) break; // length field not here yet
      if (total < this.min || total > this.f.maxFrameLength) {
        this.counters.badFrame++;
        this.skip(1);
        continue;
      }
      if (this.buf.length < total) break; // rest of the frame not here yet
      const frame = this.buf.subarray(0, total);
      if (!this.endOk(frame)) {
        this.counters.badFrame++;
        this.skip(1);
        continue;
      }
      if (!this.checksumOk(frame)) {
        this.counters.badChecksum++;
        this.skip(1);
        continue;
      }
      out.push(Buffer.from(frame));
      this.counters.frames++;
      this.buf = this.buf.subarray(total);
    }
    // Copy the remainder so the (possibly large) chunk behind it can be collected.
    if (this.buf.length > 0 && this.buf.byteOffset > 0) this.buf = Buffer.from(this.buf);
    return out;
  }

  private frameLength(): number | null {
    const { fixedLength, length } = this.f;
    if (fixedLength !== undefined) return fixedLength;
    if (!length) return null;
    if (this.buf.length < length.byte + length.size) return null;
    const v =
      length.size === 1
        ? this.buf.readUInt8(length.byte)
        : length.endian === 'big'
          ? this.buf.readUInt16BE(length.byte)
          : this.buf.readUInt16LE(length.byte);
    return v + length.adjust;
  }

  private endOk(frame: Buffer): boolean {
    return this.end.length === 0 || frame.subarray(frame.length - this.end.length).equals(this.end);
  }

  private checksumOk(frame: Buffer): boolean {
    const c = this.f.checksum;
    if (!c) return true;
    const at = frame.length - this.end.length - checksumSize(c.type);
    return computeChecksum(c.type, frame, c.from, at) === readChecksum(c.type, frame, at, c.endian);
  }
}

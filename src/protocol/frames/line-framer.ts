/**
 * Splits an ASCII byte stream into lines (a fault printer or monitoring port). A line longer
 * than the cap is counted as overlong and everything up to the next terminator is skipped,
 * so a stuck transmitter or binary noise cannot grow memory.
 */
import { newFrameCounters, type FrameCounters, type Framer } from './counters.js';

export interface LineFraming {
  terminator: string;
  maxLineLength: number;
}

export class LineFramer implements Framer {
  readonly counters: FrameCounters = newFrameCounters();
  private buf: Buffer = Buffer.alloc(0);
  private discarding = false;
  private readonly term: Buffer;

  constructor(private readonly f: LineFraming) {
    this.term = Buffer.from(f.terminator, 'latin1');
  }

  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.counters.bytesIn += chunk.length;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const at = this.buf.indexOf(this.term);
      if (at < 0) break;
      const line = this.buf.subarray(0, at);
      this.buf = this.buf.subarray(at + this.term.length);
      if (this.discarding) {
        // The tail of an overlong line: already counted.
        this.counters.discardedBytes += at + this.term.length;
        this.discarding = false;
        continue;
      }
      if (line.length > this.f.maxLineLength) {
        this.counters.overlong++;
        this.counters.discardedBytes += at + this.term.length;
        continue;
      }
      const text = stripCr(line);
      if (text.length === 0) continue; // blank line (e.g. CR LF CR LF): not a frame
      this.counters.frames++;
      out.push(Buffer.from(text));
    }
    const keep = this.term.length - 1; // a terminator may be split across chunks
    if (this.discarding && this.buf.length > keep) {
      this.counters.discardedBytes += this.buf.length - keep;
      this.buf = this.buf.subarray(this.buf.length - keep);
    } else if (!this.discarding && this.buf.length > this.f.maxLineLength + keep) {
      this.counters.overlong++;
      this.counters.discardedBytes += this.buf.length - keep;
      this.buf = this.buf.subarray(this.buf.length - keep);
      this.discarding = true;
    }
    if (this.buf.length > 0 && this.buf.byteOffset > 0) this.buf = Buffer.from(this.buf);
    return out;
  }

  expire(): Buffer[] {
    if (this.buf.length > 0 && !this.discarding) this.counters.partialDropped++;
    this.counters.discardedBytes += this.buf.length;
    this.buf = Buffer.alloc(0);
    this.discarding = false;
    return [];
  }
}

function stripCr(line: Buffer): Buffer {
  let end = line.length;
  while (end > 0 && line[end - 1] === 0x0d) end--;
  let start = 0;
  while (start < end && line[start] === 0x0d) start++;
  return line.subarray(start, end);
}

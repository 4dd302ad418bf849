/**
 * The simulated controller side of a plain-frames line, transport-free: what to send for the
 * ASCII printer protocol every period, and what to answer to the bytes of the binary
 * enquiry/response protocol. Link-fault behaviours apply per unit as on the Modbus link:
 * silent (nothing), bad-crc (a corrupted checksum, or a corrupted ASCII line), short-frame
 * (cut in half), garbage (noise, start bytes included, before the frame), exception (a NAK
 * frame or an ERR line).
 */
import { Prng } from '../prng.js';
import type { SimulatedLift } from '../simulated-lift.js';
import { clearLine, faultLine, statusLine } from './ascii-protocol.js';
import { frame, parseEnquiries, statusFrame, STX, TYPE_NAK } from './binary-protocol.js';

export type FramesProtocolName = 'ascii' | 'binary';

export interface FramesLinkOptions {
  protocol: FramesProtocolName;
  resolve: (unit: number) => SimulatedLift | undefined;
  units: () => number[];
  seed?: number;
}

export interface FramesLinkStats {
  enquiries: number;
  sent: number;
  unknownUnit: number;
  badEnquiries: number;
}

export class FramesLink {
  private readonly prng: Prng;
  private rx: Buffer = Buffer.alloc(0);
  private readonly lastFault = new Map<number, number>();
  private readonly counters: FramesLinkStats = { enquiries: 0, sent: 0, unknownUnit: 0, badEnquiries: 0 };

  constructor(private readonly opts: FramesLinkOptions) {
    this.prng = new Prng(opts.seed ?? 1);
  }

  stats(): FramesLinkStats {
    return { ...this.counters };
  }

  /** ASCII: the lines to print this period, for every unit. */
  periodic(): Buffer[] {
    if (this.opts.protocol !== 'ascii') return [];
    const out: Buffer[] = [];
    for (const unit of this.opts.units()) {
      const lift = this.opts.resolve(unit);
      if (!lift) continue;
      const s = lift.signals();
      let text = '';
      const was = this.lastFault.get(unit) ?? 0;
      if (s.faultCode !== was) {
        text += s.faultCode !== 0 ? faultLine(unit, s.faultCode) : clearLine(unit, was);
        this.lastFault.set(unit, s.faultCode);
      }
      text += statusLine(unit, s);
      const bytes = this.mangle(lift, Buffer.from(text, 'latin1'), () => Buffer.from(`ERR ${unit}\r\n`, 'latin1'));
      if (bytes) out.push(bytes);
    }
    return out;
  }

  /** Binary: answers to received bytes. */
  receive(chunk: Buffer): Buffer[] {
    if (this.opts.protocol !== 'binary') return [];
    const { units, rest, badCrc } = parseEnquiries(Buffer.concat([this.rx, chunk]));
    this.rx = rest.length > 64 ? Buffer.alloc(0) : rest;
    this.counters.badEnquiries += badCrc;
    const out: Buffer[] = [];
    for (const unit of units) {
      this.counters.enquiries++;
      const lift = this.opts.resolve(unit);
      if (!lift) {
        this.counters.unknownUnit++;
        continue; // silence, as on a multi-drop line
      }
      const bytes = this.mangle(lift, statusFrame(unit, lift.signals()), () => frame(unit, TYPE_NAK, []));
      if (bytes) out.push(bytes);
    }
    return out;
  }

  private mangle(lift: SimulatedLift, good: Buffer, exception: () => Buffer): Buffer | null {
    lift.requestsServed++;
    const faults = lift.linkFaults();
    if (faults.has('silent')) return null;
    let bytes = faults.has('exception') ? exception() : good;
    if (faults.has('bad-crc')) {
      bytes = Buffer.from(bytes);
      // Binary: the checksum's last byte; ASCII: a character inside the line.
      const at = this.opts.protocol === 'binary' ? bytes.length - 1 : Math.max(0, bytes.length - 4);
      bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
    }
    if (faults.has('short-frame')) bytes = bytes.subarray(0, Math.max(1, bytes.length >> 1));
    if (faults.has('garbage')) {
      const noise = Buffer.alloc(this.prng.int(3, 24));
      for (let i = 0; i < noise.length; i++) noise[i] = this.prng.int(0, 3) === 0 ? STX : this.prng.int(0, 255);
      // ASCII: a burst of noise ends the line it lands in, so the status line after it survives.
      const sep = this.opts.protocol === 'ascii' ? Buffer.from('\r\n') : Buffer.alloc(0);
      bytes = Buffer.concat([noise, sep, bytes]);
    }
    this.counters.sent++;
    return bytes;
  }
}

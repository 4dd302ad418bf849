/**
 * A Modbus slave that attaches to any Duplex stream (TCP socket, serial port, in-memory pair),
 * frames requests (RTU or MBAP), routes them by unit id to simulated lifts and answers, with
 * each lift's link-level faults applied. A request for an unknown unit is ignored: silence, as
 * on an RS-485 bus where no other slave owns that address (Modbus over Serial Line 2.1).
 */
import type { Duplex } from 'node:stream';
import type { LinkFaultKind } from './behaviours.js';
import { EXCEPTION, exceptionPdu, handlePdu } from './modbus-pdu.js';
import { encodeMbap, MbapFramer } from '../protocol/modbus/mbap-framer.js';
import { Prng } from './prng.js';
import { encodeRtu, RtuRequestFramer } from '../protocol/modbus/rtu-framer.js';
import type { SimulatedLift } from './simulated-lift.js';

export type Framing = 'rtu' | 'mbap';

export interface SlaveLinkStats {
  requests: number;
  unknownUnit: number;
  crcErrors: number;
  discardedBytes: number;
}

export interface SlaveLinkOptions {
  framing: Framing;
  resolve: (unit: number) => SimulatedLift | undefined;
  seed?: number;
  logger?: (line: string) => void;
}

/**
 * The answer bytes for one request, or null for silence. Pure apart from the noise PRNG.
 * `transactionId` is used in MBAP framing only.
 */
export function buildAnswer(
  framing: Framing,
  unit: number,
  request: Uint8Array,
  registers: readonly number[],
  faults: ReadonlySet<LinkFaultKind>,
  noise: Prng,
  transactionId = 0,
): Buffer | null {
  if (faults.has('silent')) return null;
  const fc = request[0] ?? 0;
  let pdu = faults.has('exception') ? exceptionPdu(fc, EXCEPTION.SERVER_DEVICE_FAILURE) : handlePdu(request, registers);
  if (framing === 'mbap' && faults.has('short-frame')) {
    // TCP has no CRC: a truncated answer keeps a consistent MBAP length and a short PDU.
    pdu = pdu.subarray(0, Math.max(2, Math.floor(pdu.length / 2)));
  }
  let frame = framing === 'rtu' ? encodeRtu(unit, pdu) : encodeMbap(transactionId, unit, pdu);
  if (faults.has('bad-crc')) {
    frame = Buffer.from(frame);
    // RTU: corrupt the CRC. MBAP has none; corrupt the function code so the master rejects it.
    if (framing === 'rtu') frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xa5;
    else frame[7] = (frame[7] ?? 0) ^ 0x40;
  }
  if (framing === 'rtu' && faults.has('short-frame')) {
    frame = frame.subarray(0, Math.max(3, Math.floor(frame.length / 2)));
  }
  if (faults.has('garbage')) {
    // Noise bytes 0xF8..0xFF: never a valid unit address (1..247), like line noise on a
    // floating RS-485 bus, so a master that hunts for its slave's address can resync.
    const n = noise.int(3, 8);
    const junk = Buffer.alloc(n);
    for (let i = 0; i < n; i++) junk[i] = noise.int(0xf8, 0xff);
    frame = Buffer.concat([junk, frame]);
  }
  return frame;
}

export class SlaveLink {
  readonly framing: Framing;
  private readonly resolve: (unit: number) => SimulatedLift | undefined;
  private readonly noise: Prng;
  private readonly logger: ((line: string) => void) | undefined;
  private readonly rtuFramers = new Set<RtuRequestFramer>();
  private detachedCrcErrors = 0;
  private detachedDiscarded = 0;
  private requests = 0;
  private unknownUnit = 0;

  constructor(opts: SlaveLinkOptions) {
    this.framing = opts.framing;
    this.resolve = opts.resolve;
    this.noise = new Prng(opts.seed ?? 0x5eed);
    this.logger = opts.logger;
  }

  /** Starts serving on `stream`; returns a function that detaches (does not close the stream). */
  attach(stream: Duplex): () => void {
    const rtu = this.framing === 'rtu' ? new RtuRequestFramer() : null;
    const mbap = this.framing === 'mbap' ? new MbapFramer() : null;
    if (rtu) this.rtuFramers.add(rtu);
    const onData = (chunk: Buffer): void => {
      if (rtu) for (const r of rtu.push(chunk)) this.serve(stream, r.unit, r.pdu, 0);
      if (mbap) for (const r of mbap.push(chunk)) this.serve(stream, r.unit, r.pdu, r.transactionId);
    };
    stream.on('data', onData);
    return () => {
      stream.off('data', onData);
      if (rtu && this.rtuFramers.delete(rtu)) {
        this.detachedCrcErrors += rtu.stats.crcErrors;
        this.detachedDiscarded += rtu.stats.discardedBytes;
      }
    };
  }

  stats(): SlaveLinkStats {
    let crcErrors = this.detachedCrcErrors;
    let discardedBytes = this.detachedDiscarded;
    for (const f of this.rtuFramers) {
      crcErrors += f.stats.crcErrors;
      discardedBytes += f.stats.discardedBytes;
    }
    return { requests: this.requests, unknownUnit: this.unknownUnit, crcErrors, discardedBytes };
  }

  private serve(stream: Duplex, unit: number, pdu: Buffer, transactionId: number): void {
    this.requests++;
    const lift = this.resolve(unit);
    if (!lift) {
      this.unknownUnit++;
      return;
    }
    const answer = buildAnswer(this.framing, unit, pdu, lift.registers(), lift.linkFaults(), this.noise, transactionId);
    if (answer === null) return;
    lift.requestsServed++;
    if (!stream.writable || stream.destroyed) return;
    stream.write(answer, (err) => {
      if (err) this.logger?.(`write failed: ${err.message}`);
    });
  }
}

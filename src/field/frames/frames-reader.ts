/**
 * The frames bus reader: one per serial-frames bus, beside the Modbus `BusPoller`, emitting the
 * same `PollResult`s, so every alarm rule works unchanged on a controller that speaks no Modbus.
 * Two modes, chosen by the profile:
 *  - polled: every poll interval it sends the lift's enquiry and waits `timeoutMs` for a good
 *    answer from that unit; enquiries on one line are strictly serialized with a gap
 *    (several slaves on one line collide otherwise), and a silent unit is backed off like a
 *    silent Modbus unit;
 *  - unprompted (a fault printer): every poll interval it reports the lift's last known values
 *    while a good frame arrived within `silenceTimeoutMs`, else a failed poll.
 * Either way a controller that stops talking yields failed polls, so the core raises
 * CONTROLLER_COMM_LOST exactly as for a silent Modbus unit. Noise never stops the loop: the
 * framer counts and skips it, and a frame left incomplete when the line goes quiet for
 * `timeoutMs` is dropped so the next good frame is found.
 */
import type { FramesBusConfig } from '../../config/types.js';
import type { SignalValues } from '../../core/signals.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { BusStats, PollResult } from '../bus-poller.js';
import { busStatsOf, earliest, ensureOpen, failureBackoffMs, newOpenState, recordFailure, Sleeper } from '../poll-loop.js';
import { classify, FieldError, type FieldErrorCode } from '../errors.js';
import { newUnitStats, type UnitStats } from '../unit-stats.js';
import type { ByteStream } from '../../ports/byte-stream.js';
import type { FrameCounters, Framer } from '../../protocol/frames/counters.js';
import type { FrameProtocol } from '../../protocol/frames/protocol.js';

export interface FramesLift {
  id: string;
  unitId: number;
  pollIntervalMs: number;
}

export interface FramesBusStats extends BusStats {
  frames: FrameCounters;
  /** Bytes held for an incomplete frame (bounded by the bus's and the profile's caps). */
  bufferedBytes: number;
}

interface Slot {
  lift: FramesLift;
  nextDue: number;
  stats: UnitStats;
  /** Last known value of every signal the controller has reported. */
  values: SignalValues;
  /** Good messages decoded for this unit. */
  good: number;
  lastGoodMono: number | null;
  waiter: (() => void) | null;
}

export class FramesBusReader {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper: Sleeper;
  private idleTimer: TimerHandle | null = null;
  private readonly framer: Framer;
  private readonly slots: Slot[];
  private readonly openState = newOpenState();
  private lastRttMs: number | null = null;
  /** Counters at the previous poll, to say why a poll failed (noise vs silence). */
  private mark: FrameCounters;

  constructor(
    private readonly bus: FramesBusConfig,
    private readonly stream: ByteStream,
    private readonly protocol: FrameProtocol,
    lifts: FramesLift[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onResult: (r: PollResult) => void,
  ) {
    this.framer = protocol.newFramer(bus.maxBufferBytes);
    this.sleeper = new Sleeper(clock);
    this.mark = { ...this.framer.counters };
    this.slots = lifts.map((lift) => ({
      lift,
      nextDue: 0,
      stats: newUnitStats(lift.id, lift.unitId),
      values: {},
      good: 0,
      lastGoodMono: null,
      waiter: null,
    }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sleeper.restart();
    this.stream.onData((chunk) => this.onData(chunk));
    this.loop = this.run().catch((err: unknown) => {
      this.logger.error('frames loop ended unexpectedly', { bus: this.bus.id, error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.stop();
    for (const s of this.slots) s.waiter?.();
    await this.loop;
    this.loop = null;
    this.clearIdle();
    await this.stream.close();
  }

  stats(): FramesBusStats {
    return {
      ...busStatsOf(this.bus.id, this.stream.isOpen, this.openState, this.lastRttMs, this.slots),
      frames: { ...this.framer.counters },
      bufferedBytes: this.framer.pending,
    };
  }

  /** Feeds received bytes through the framer (also the entry point of the fuzz test). */
  onData(chunk: Buffer): void {
    if (!this.running) return;
    this.handle(this.framer.push(chunk));
    this.clearIdle();
    if (this.framer.pending > 0) {
      this.idleTimer = this.clock.setTimeout(() => {
        this.idleTimer = null;
        this.handle(this.framer.expire());
      }, this.bus.timeoutMs);
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private handle(frames: Buffer[]): void {
    const c = this.framer.counters;
    for (const frame of frames) {
      const d = this.protocol.decode(frame);
      if (!d) {
        c.unmatched++;
        continue;
      }
      const slot = d.unit === null ? this.slots[0] : this.slots.find((s) => s.lift.unitId === d.unit);
      if (!slot) {
        c.unknownUnit++;
        continue;
      }
      c.decoded++;
      Object.assign(slot.values, d.values);
      slot.good++;
      slot.lastGoodMono = this.clock.now().mono;
      const w = slot.waiter;
      slot.waiter = null;
      w?.();
    }
  }

  private async run(): Promise<void> {
    const start = this.clock.now().mono;
    for (const s of this.slots) s.nextDue = start + (this.protocol.polled ? 0 : s.lift.pollIntervalMs);
    while (this.running) {
      const open = await ensureOpen(this.stream, this.openState, this.bus.id, this.logger, this.sleeper, (e) => {
        for (const s of this.slots) this.fail(s, new FieldError(e.message, 'LINK_DOWN', { bus: this.bus.id, unitId: s.lift.unitId }));
      });
      if (!open) continue;
      const slot = earliest(this.slots);
      if (!slot) return;
      const wait = slot.nextDue - this.clock.now().mono;
      if (wait > 0) {
        await this.sleep(wait);
        if (!this.running) return;
      }
      if (this.protocol.polled) {
        await this.enquire(slot);
        // As in bus-poller.ts: a gap of 0 sets no timer (setTimeout(0) waits 1 ms and costs a
        // timer and an event-loop turn per enquiry).
        if (this.bus.interFrameGapMs > 0) await this.sleep(this.bus.interFrameGapMs);
      } else {
        this.checkSilence(slot);
      }
    }
  }

  private async enquire(slot: Slot): Promise<void> {
    const t0 = this.clock.now();
    slot.stats.polls++;
    const before = slot.good;
    const enquiry = this.protocol.enquiry(slot.lift.unitId);
    try {
      if (enquiry) await this.stream.write(enquiry);
    } catch (err) {
      const e = classify(err, this.bus.id, slot.lift.unitId);
      this.fail(slot, new FieldError(e.message, 'LINK_DOWN', { bus: this.bus.id, unitId: slot.lift.unitId }));
      slot.nextDue = t0.mono + slot.lift.pollIntervalMs;
      await this.stream.close();
      return;
    }
    const answered = await this.waitForFrame(slot, before, this.bus.timeoutMs);
    if (!this.running) return;
    if (answered) {
      const at = this.clock.now();
      const rttMs = Math.round((at.mono - t0.mono) * 10) / 10;
      this.lastRttMs = rttMs;
      slot.stats.lastRttMs = rttMs;
      slot.nextDue = t0.mono + slot.lift.pollIntervalMs;
      this.ok(slot, rttMs);
      return;
    }
    // The answer window closed: a frame still incomplete will not complete.
    this.handle(this.framer.expire());
    this.fail(slot, this.failure(slot, `no good answer to the enquiry within ${this.bus.timeoutMs} ms`));
    slot.nextDue = t0.mono + failureBackoffMs(slot.stats.consecutiveFailures, slot.lift.pollIntervalMs);
  }

  private checkSilence(slot: Slot): void {
    const now = this.clock.now();
    slot.stats.polls++;
    slot.nextDue = now.mono + slot.lift.pollIntervalMs;
    const last = slot.lastGoodMono;
    if (last !== null && now.mono - last <= this.bus.silenceTimeoutMs) {
      this.ok(slot, 0);
      return;
    }
    this.fail(slot, this.failure(slot, `no good frame for ${this.bus.silenceTimeoutMs} ms`));
  }

  private waitForFrame(slot: Slot, before: number, ms: number): Promise<boolean> {
    if (slot.good > before) return Promise.resolve(true);
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        slot.waiter = null;
        resolve(false);
      }, ms);
      slot.waiter = () => {
        this.clock.clearTimeout(handle);
        resolve(slot.good > before);
      };
    });
  }

  private ok(slot: Slot, rttMs: number): void {
    const at = this.clock.now();
    slot.stats.ok++;
    slot.stats.consecutiveFailures = 0;
    slot.stats.lastOkAt = at.wall;
    this.mark = { ...this.framer.counters };
    this.onResult({ ok: true, liftId: slot.lift.id, at, values: { ...slot.values }, rttMs });
  }

  /** Why a poll failed: bad checksums seen since the last poll, other noise, or silence. */
  private failure(slot: Slot, silence: string): FieldError {
    const c = this.framer.counters;
    const m = this.mark;
    this.mark = { ...c };
    const ctx = { bus: this.bus.id, unitId: slot.lift.unitId };
    let code: FieldErrorCode = 'TIMEOUT';
    let why = silence;
    if (c.badChecksum > m.badChecksum) {
      code = 'CRC';
      why = `${silence}; ${c.badChecksum - m.badChecksum} frame(s) with a bad checksum`;
    } else {
      const noise = c.badFrame + c.overlong + c.partialDropped + c.unmatched - (m.badFrame + m.overlong + m.partialDropped + m.unmatched);
      if (noise > 0) {
        code = 'BAD_FRAME';
        why = `${silence}; ${noise} bad, partial or unrecognised frame(s)`;
      }
    }
    return new FieldError(why, code, ctx);
  }

  private fail(slot: Slot, e: FieldError): void {
    recordFailure(slot.stats, e);
    this.onResult({ ok: false, liftId: slot.lift.id, at: this.clock.now(), error: e });
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}

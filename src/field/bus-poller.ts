/**
 * One poller per bus. RS-485 is multi-drop: every lift on a port shares one line, so this
 * loop is the only caller of its link and runs strictly one request at a time, with an
 * inter-frame gap (several RTU slaves on one port collide when two requests overlap, as
 * thingsboard-gateway and node-red-contrib-modbus users found). A silent unit is backed off
 * instead of stalling the others (Neuron's per-device degradation); a failed request never stops
 * the loop (pollers of other gateways froze after a Modbus timeout or exception); a closed port
 * is reopened with backoff. docs/taxonomy.md, "Field failures the tests guard against".
 */
import type { BusConfig } from '../config/types.js';
import type { Instant } from '../core/types.js';
import type { SignalValues } from '../core/signals.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { classify, FieldError } from './errors.js';
import type { ModbusLink } from '../ports/modbus-link.js';
import { sameResults, type ReadPlan } from '../field/read-plan.js';
import { newUnitStats, type UnitStats } from './unit-stats.js';
import { busStatsOf, earliest, ensureOpen, failureBackoffMs, newOpenState, nextOnRate, recordFailure, Sleeper } from './poll-loop.js';

export interface PolledLift {
  id: string;
  unitId: number;
  pollIntervalMs: number;
  plan: ReadPlan;
}

export type PollResult =
  | { ok: true; liftId: string; at: Instant; values: SignalValues; rttMs: number }
  | { ok: false; liftId: string; at: Instant; error: FieldError };

export interface BusStats {
  busId: string;
  state: 'open' | 'closed';
  opens: number;
  openFailures: number;
  lastRttMs: number | null;
  units: UnitStats[];
}

interface LiftSlot {
  lift: PolledLift;
  nextDue: number; // mono ms
  stats: UnitStats;
  /** The last answers and the values decoded from them (frozen), reused while the answers repeat. */
  last: { results: Array<number[] | boolean[]>; values: SignalValues } | null;
}

export class BusPoller {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper: Sleeper;
  private readonly slots: LiftSlot[];
  private readonly openState = newOpenState();
  private lastRttMs: number | null = null;
  /**
   * A good poll's result, handed on once the next request is on the wire (or before the loop
   * waits): the agent's work on one answer then overlaps the next transaction instead of holding
   * it back. The slave answered each request later by that work, and went idle and was woken
   * again between requests (the same-job benchmark: its CPU under liftwatch was 1.2-1.5x its CPU
   * under a bare script at the same request rate). Same macrotask, so no timer or deadline runs
   * in between; the result keeps the time its answer arrived.
   */
  private pending: PollResult | null = null;

  constructor(
    private readonly bus: BusConfig,
    private readonly link: ModbusLink,
    lifts: PolledLift[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onResult: (r: PollResult) => void,
  ) {
    this.slots = lifts.map((lift) => ({ lift, nextDue: 0, stats: newUnitStats(lift.id, lift.unitId), last: null }));
    this.sleeper = new Sleeper(clock);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sleeper.restart();
    this.loop = this.run().catch((err: unknown) => {
      // Unreachable by design; logged so a bug cannot silently stop polling.
      this.logger.error('poll loop ended unexpectedly', { bus: this.bus.id, error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.stop();
    await this.loop;
    this.loop = null;
    await this.link.close();
  }

  stats(): BusStats {
    return busStatsOf(this.bus.id, this.link.isOpen, this.openState, this.lastRttMs, this.slots);
  }

  private async run(): Promise<void> {
    const start = this.clock.now().mono;
    for (const s of this.slots) s.nextDue = start;
    while (this.running) {
      // Checked here first: ensureOpen is async, and awaiting it cost a promise and a turn of
      // the microtask queue per transaction with the port open, i.e. nearly always (the agent's
      // CPU per transaction in the field-bus benchmark, docs/performance.md).
      if (!this.link.isOpen) {
        this.handOn();
        const open = await ensureOpen(this.link, this.openState, this.bus.id, this.logger, this.sleeper, (e) => {
          for (const s of this.slots) this.fail(s, e);
        });
        if (!open) continue;
      }
      const slot = earliest(this.slots);
      if (!slot) break;
      const wait = slot.nextDue - this.clock.now().mono;
      if (wait > 0) {
        this.handOn();
        await this.sleep(wait);
        if (!this.running) break;
      }
      await this.poll(slot);
      // A gap of 0 sets no timer: setTimeout(0) still waited 1 ms and cost a timer and an extra
      // event-loop turn per transaction (the agent's CPU per transaction in the field-bus benchmark).
      if (this.bus.interFrameGapMs > 0) {
        this.handOn(); // during the line's silence
        await this.sleep(this.bus.interFrameGapMs);
      }
    }
    this.handOn();
  }

  private handOn(): void {
    const r = this.pending;
    if (r === null) return;
    this.pending = null;
    this.onResult(r);
  }

  private async poll(slot: LiftSlot): Promise<void> {
    const { lift } = slot;
    const t0 = this.clock.now();
    slot.stats.polls++;
    const results: Array<number[] | boolean[]> = [];
    try {
      for (const req of lift.plan.requests) {
        // The first attempt is spelled out here rather than awaited through readWithRetries: one
        // async frame less per transaction, nearly all of which succeed at once (samejob benchmark).
        let data: number[] | boolean[];
        this.checkRunning(lift.unitId);
        try {
          data = checkedAnswer(await this.attempt(lift.unitId, req), req, this.bus.id, lift.unitId);
        } catch (err) {
          data = await this.readWithRetries(lift.unitId, req, err);
        }
        results.push(data);
      }
      // Same answers as the last poll: the same values (decode is pure), and the core can tell
      // the sample is unchanged by identity (src/core/engine.ts, the unchanged-sample shortcut).
      let values: SignalValues;
      if (slot.last !== null && sameResults(slot.last.results, results)) values = slot.last.values;
      else {
        values = Object.freeze(lift.plan.decode(results));
        slot.last = { results, values };
      }
      const at = this.clock.now();
      const rttMs = Math.round((at.mono - t0.mono) * 10) / 10;
      this.lastRttMs = rttMs;
      slot.stats.ok++;
      slot.stats.consecutiveFailures = 0;
      slot.stats.lastRttMs = rttMs;
      slot.stats.lastOkAt = at.wall;
      slot.nextDue = nextOnRate(slot.nextDue, lift.pollIntervalMs, at.mono);
      this.pending = { ok: true, liftId: lift.id, at, values, rttMs };
    } catch (err) {
      const e = classify(err, this.bus.id, lift.unitId);
      this.fail(slot, e);
      slot.nextDue = t0.mono + failureBackoffMs(slot.stats.consecutiveFailures, lift.pollIntervalMs);
      if (e.code === 'LINK_DOWN') await this.link.close();
    }
  }

  private fail(slot: LiftSlot, e: FieldError): void {
    recordFailure(slot.stats, e);
    this.handOn(); // results stay in order
    this.onResult({ ok: false, liftId: slot.lift.id, at: this.clock.now(), error: e });
  }

  private checkRunning(unitId: number): void {
    if (!this.running) throw new FieldError('poller stopped', 'OTHER', { bus: this.bus.id, unitId });
  }

  /** Writes one request and returns its answer; earlier results are handed on once it is written. */
  private attempt(unitId: number, req: ReadRequest): Promise<number[] | boolean[]> {
    const answer = this.link.read(unitId, req, this.bus.timeoutMs); // the request is written here
    this.handOn();
    return answer;
  }

  /** The retries (attempts 1..bus.retries) after the first attempt failed with `lastErr`. */
  private async readWithRetries(unitId: number, req: ReadRequest, lastErr: unknown): Promise<number[] | boolean[]> {
    for (let attempt = 1; ; attempt++) {
      const e = classify(lastErr, this.bus.id, unitId);
      // An exception is the slave's definite answer, and a closed link will not heal by retrying.
      if (e.code === 'EXCEPTION' || e.code === 'LINK_DOWN') throw e;
      if (attempt > this.bus.retries) throw lastErr;
      await this.sleep(this.bus.interFrameGapMs);
      this.checkRunning(unitId);
      try {
        return checkedAnswer(await this.attempt(unitId, req), req, this.bus.id, unitId);
      } catch (err) {
        lastErr = err;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}

type ReadRequest = PolledLift['plan']['requests'][number];

/** A short answer is a bad frame (the slave or a converter cut it), never padded. */
function checkedAnswer(data: number[] | boolean[], req: ReadRequest, bus: string, unitId: number): number[] | boolean[] {
  if (data.length < req.count) {
    throw new FieldError(`expected ${req.count} values from ${req.table} ${req.address}, got ${data.length}`, 'BAD_FRAME', { bus, unitId });
  }
  return data;
}

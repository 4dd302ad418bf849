/**
 * One poller per bus. RS-485 is multi-drop: every lift on a port shares one line, so this
 * loop is the only caller of its link and runs strictly one request at a time, with an
 * inter-frame gap (field-lessons 5: several RTU slaves on one port collide). A silent unit is
 * backed off instead of stalling the others (Neuron's per-device degradation); a failed
 * request never stops the loop (field-lessons 6); a closed port is reopened with backoff.
 */
import type { BusConfig } from '../config/types.js';
import type { Instant } from '../core/types.js';
import type { SignalValues } from '../core/signals.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { classify, FieldError } from './errors.js';
import type { ModbusLink } from './link.js';
import type { ReadPlan } from '../field/read-plan.js';
import { newUnitStats, type UnitStats } from './unit-stats.js';

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

/** Longest back-off for a silent unit or a closed port: short enough that CONTROLLER_COMM_LOST
 * (3 failed polls and 10 s, domain.md) is raised on time and recovery is seen quickly. */
export const MAX_BACKOFF_MS = 4000;

interface LiftSlot {
  lift: PolledLift;
  nextDue: number; // mono ms
  stats: UnitStats;
}

export class BusPoller {
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeping: { handle: TimerHandle; resolve: () => void } | null = null;
  private readonly slots: LiftSlot[];
  private opens = 0;
  private openFailures = 0;
  private lastRttMs: number | null = null;

  constructor(
    private readonly bus: BusConfig,
    private readonly link: ModbusLink,
    lifts: PolledLift[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onResult: (r: PollResult) => void,
  ) {
    this.slots = lifts.map((lift) => ({ lift, nextDue: 0, stats: newUnitStats(lift.id, lift.unitId) }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => {
      // Unreachable by design; logged so a bug cannot silently stop polling.
      this.logger.error('poll loop ended unexpectedly', { bus: this.bus.id, error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.sleeping) {
      this.clock.clearTimeout(this.sleeping.handle);
      this.sleeping.resolve();
      this.sleeping = null;
    }
    await this.loop;
    this.loop = null;
    await this.link.close();
  }

  stats(): BusStats {
    return {
      busId: this.bus.id,
      state: this.link.isOpen ? 'open' : 'closed',
      opens: this.opens,
      openFailures: this.openFailures,
      lastRttMs: this.lastRttMs,
      units: this.slots.map((s) => ({ ...s.stats, errors: { ...s.stats.errors } })),
    };
  }

  private async run(): Promise<void> {
    let openBackoff = 500;
    const start = this.clock.now().mono;
    for (const s of this.slots) s.nextDue = start;
    while (this.running) {
      if (!this.link.isOpen) {
        try {
          await this.link.open();
          this.opens++;
          openBackoff = 500;
          this.logger.info('bus open', { bus: this.bus.id });
        } catch (err) {
          this.openFailures++;
          const e = classify(err, this.bus.id);
          if (this.openFailures === 1 || this.openFailures % 20 === 0) {
            this.logger.warn('bus cannot be opened, retrying', { bus: this.bus.id, error: e.message, attempts: this.openFailures });
          }
          // Every lift on a closed bus misses its poll: the core counts these towards
          // CONTROLLER_COMM_LOST exactly as it counts a silent unit.
          for (const s of this.slots) this.fail(s, e);
          await this.sleep(openBackoff);
          openBackoff = Math.min(openBackoff * 2, MAX_BACKOFF_MS);
          continue;
        }
      }
      const slot = this.nextSlot();
      if (!slot) return;
      const wait = slot.nextDue - this.clock.now().mono;
      if (wait > 0) {
        await this.sleep(wait);
        if (!this.running) return;
      }
      await this.poll(slot);
      await this.sleep(this.bus.interFrameGapMs);
    }
  }

  private nextSlot(): LiftSlot | undefined {
    let best: LiftSlot | undefined;
    for (const s of this.slots) if (!best || s.nextDue < best.nextDue) best = s;
    return best;
  }

  private async poll(slot: LiftSlot): Promise<void> {
    const { lift } = slot;
    const t0 = this.clock.now();
    slot.stats.polls++;
    const results: Array<number[] | boolean[]> = [];
    try {
      for (const req of lift.plan.requests) {
        results.push(await this.readWithRetries(lift.unitId, req));
      }
      const values = lift.plan.decode(results);
      const at = this.clock.now();
      const rttMs = Math.round((at.mono - t0.mono) * 10) / 10;
      this.lastRttMs = rttMs;
      slot.stats.ok++;
      slot.stats.consecutiveFailures = 0;
      slot.stats.lastRttMs = rttMs;
      slot.stats.lastOkAt = at.wall;
      slot.nextDue = t0.mono + lift.pollIntervalMs;
      this.onResult({ ok: true, liftId: lift.id, at, values, rttMs });
    } catch (err) {
      const e = classify(err, this.bus.id, lift.unitId);
      this.fail(slot, e);
      // Back off a unit that keeps failing, so it cannot starve the others on the line.
      const n = slot.stats.consecutiveFailures;
      const backoff = n <= 1 ? lift.pollIntervalMs : Math.min(lift.pollIntervalMs * 2 ** (n - 1), Math.max(MAX_BACKOFF_MS, lift.pollIntervalMs));
      slot.nextDue = t0.mono + backoff;
      if (e.code === 'LINK_DOWN') await this.link.close();
    }
  }

  private fail(slot: LiftSlot, e: FieldError): void {
    slot.stats.errors[e.code]++;
    slot.stats.consecutiveFailures++;
    slot.stats.lastError = e.message;
    this.onResult({ ok: false, liftId: slot.lift.id, at: this.clock.now(), error: e });
  }

  private async readWithRetries(unitId: number, req: PolledLift['plan']['requests'][number]): Promise<number[] | boolean[]> {
    let lastErr: unknown;
    for (let attempt = 0; attempt <= this.bus.retries; attempt++) {
      if (attempt > 0) await this.sleep(this.bus.interFrameGapMs);
      if (!this.running) throw new FieldError('poller stopped', 'OTHER', { bus: this.bus.id, unitId });
      try {
        const data = await this.link.read(unitId, req, this.bus.timeoutMs);
        if (data.length < req.count) {
          throw new FieldError(`expected ${req.count} values from ${req.table} ${req.address}, got ${data.length}`, 'BAD_FRAME', { bus: this.bus.id, unitId });
        }
        return data;
      } catch (err) {
        lastErr = err;
        const e = classify(err, this.bus.id, unitId);
        // An exception is the slave's definite answer, and a closed link will not heal by retrying.
        if (e.code === 'EXCEPTION' || e.code === 'LINK_DOWN') throw e;
      }
    }
    throw lastErr;
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.sleeping = null;
        resolve();
      }, ms);
      this.sleeping = { handle, resolve };
    });
  }
}

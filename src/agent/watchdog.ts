/**
 * Feeds the systemd watchdog only while every health check passes (zigbee2mqtt and
 * the lesson from peer gateways: a systemd watchdog fed only while the agent is really healthy). Runs on the
 * Clock port: ticks twice per WatchdogSec period (sd_watchdog_enabled(3) recommends pinging
 * at half the interval), each tick runs the checks and sends WATCHDOG=1 or withholds it.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier } from '../platform/sd-notify.js';
import type { CheckResult, HealthCheck } from './health-checks.js';

export interface WatchdogOptions {
  notifier: Notifier;
  checks: HealthCheck[];
  clock: Clock;
  logger: Logger;
  /** systemd's WatchdogSec in ms (watchdogIntervalMs()); ticks come every half of it. */
  intervalMs: number;
}

export class Watchdog {
  private timer: TimerHandle | null = null;
  private dueAt = 0;
  private failing = new Set<string>();
  private fed = 0;
  private withheld = 0;
  private last: CheckResult[] = [];

  constructor(private readonly opts: WatchdogOptions) {}

  get counts(): { fed: number; withheld: number } {
    return { fed: this.fed, withheld: this.withheld };
  }

  get results(): readonly CheckResult[] {
    return this.last;
  }

  start(): void {
    if (this.timer) return;
    this.arm();
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the checks once; feeds the watchdog when all pass. Returns whether it fed. */
  tick(lateMs = 0): boolean {
    const now = this.opts.clock.now().mono;
    const results = this.opts.checks.map((c) => {
      try {
        return c.run(now, lateMs);
      } catch (err) {
        return { name: c.name, ok: false, detail: `check threw: ${String(err)}` };
      }
    });
    this.last = results;
    const bad = results.filter((r) => !r.ok);
    // Log transitions only: a failing check every 15 s for days must not fill the journal.
    for (const r of bad) if (!this.failing.has(r.name)) this.opts.logger.warn('health check failing; watchdog withheld', { check: r.name, detail: r.detail });
    for (const name of this.failing) if (!bad.some((r) => r.name === name)) this.opts.logger.info('health check passing again', { check: name });
    this.failing = new Set(bad.map((r) => r.name));
    const send = (f: Record<string, string>): void => {
      this.opts.notifier.notify(f).catch(() => undefined);
    };
    if (bad.length === 0) {
      this.fed++;
      send({ WATCHDOG: '1' });
      return true;
    }
    this.withheld++;
    send({ STATUS: `unhealthy: ${bad.map((r) => `${r.name} (${r.detail})`).join('; ')}` });
    return false;
  }

  private arm(): void {
    const every = Math.max(100, Math.floor(this.opts.intervalMs / 2));
    this.dueAt = this.opts.clock.now().mono + every;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      const late = Math.max(0, this.opts.clock.now().mono - this.dueAt);
      this.tick(late);
      this.arm();
    }, every);
  }
}

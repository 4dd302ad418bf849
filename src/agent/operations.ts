/**
 * Unattended operation: the scheduled jobs (health publication, self-test and test
 * call, usage statistics, outbox maintenance, integrity check) and the systemd watchdog fed
 * from the health checks. Started after the agent, stopped before it, so the last usage
 * counts are stored before the database closes.
 */
import type { Config } from '../config/types.js';
import type { Composed } from './compose.js';
import { busesPolledCheck, eventLoopCheck, storeWritableCheck, uplinkFreshCheck, type CheckResult, type HealthCheck } from './health-checks.js';
import { Watchdog } from './watchdog.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { watchdogIntervalMs, type Notifier } from '../platform/sd-notify.js';
import type { ClockSync } from '../platform/system-clock.js';
import { UsageStore, type UsageRow } from '../store/usage-store.js';
import { checkSchedule, type JobName } from '../schedule/cron-check.js';
import { Scheduler, type JobStats } from '../schedule/scheduler.js';
import { UsageCounter } from '../schedule/usage-counter.js';
import { usagePayload, usageTopic } from '../schedule/usage-payload.js';

export interface OperationsOptions {
  config: Config;
  composed: Composed;
  clock: Clock;
  logger: Logger;
  notifier?: Notifier;
  clockSync?: ClockSync;
  env?: NodeJS.ProcessEnv;
  /** Database file for usage statistics and checks (default config.storage.path). */
  dbPath?: string;
}

export class Operations {
  readonly scheduler: Scheduler;
  readonly usage: UsageCounter;
  private store: UsageStore | null = null;
  private watchdog: Watchdog | null = null;
  private running = false;
  private detach: () => void = () => undefined;
  private startedMono = 0;
  lastIntegrity: { at: number; problems: string[] } | null = null;
  lastSelfTest: CheckResult[] = [];

  constructor(private readonly opts: OperationsOptions) {
    this.scheduler = new Scheduler(opts.logger.child('schedule'), opts.clock);
    this.usage = new UsageCounter(opts.config.lifts.map((l) => l.id));
  }

  get watchdogCounts(): { fed: number; withheld: number } | null {
    return this.watchdog?.counts ?? null;
  }

  jobStats(): JobStats[] {
    return this.scheduler.stats();
  }

  start(): void {
    if (this.running) return;
    const { config, composed, logger } = this.opts;
    checkSchedule(config);
    this.running = true;
    this.startedMono = this.opts.clock.now().mono;
    this.store = UsageStore.open(this.opts.dbPath ?? config.storage.path, { clock: this.opts.clock });
    this.detach = composed.agent.on({
      poll: (r) => {
        if (!this.running) return;
        if (r.ok) this.usage.sample(r.liftId, r.values, r.at.mono);
        else this.usage.lost(r.liftId);
      },
      event: (_stored, ev) => {
        if (this.running && ev.lifecycle === 'raised' && ev.code !== 'TEST_CALL') this.usage.fault(ev.liftId, ev.code);
      },
    });
    const s = config.schedule;
    const jobs: Record<JobName, () => void | Promise<void>> = {
      health: () => composed.health.publishNow(),
      selfTest: () => this.selfTest(),
      usage: () => void this.flushUsage(true),
      maintenance: () => this.maintenance(),
      integrity: () => this.integrity(),
    };
    if (s) {
      for (const name of Object.keys(jobs) as JobName[]) {
        if (s[name].enabled) this.scheduler.add(name, s[name].cron, jobs[name]);
        else if (name === 'selfTest') logger.warn('scheduled test calls are off: EN 81-28 asks for one at least every 3 days', {});
      }
    }
    this.scheduler.start();
    const every = watchdogIntervalMs(this.opts.env ?? process.env);
    if (this.opts.notifier?.enabled && every !== null) {
      this.watchdog = new Watchdog({ notifier: this.opts.notifier, checks: this.checks(every), clock: this.opts.clock, logger: logger.child('watchdog'), intervalMs: every });
      this.watchdog.start();
      logger.info('systemd watchdog armed', { intervalMs: every });
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.watchdog?.stop();
    this.watchdog = null;
    await this.scheduler.stop();
    try {
      this.flushUsage(false);
    } catch (err) {
      this.opts.logger.error('could not store usage statistics at stop', { error: String(err) });
    }
    this.running = false;
    this.detach();
    this.detach = () => undefined;
    this.store?.close();
    this.store = null;
  }

  /** The checks the watchdog and the self-test run. */
  checks(watchdogMs = 30_000): HealthCheck[] {
    const { config, composed } = this.opts;
    const maxPoll = Math.max(0, ...config.lifts.map((l) => l.pollIntervalMs));
    return [
      eventLoopCheck(Math.max(5000, watchdogMs / 2)),
      busesPolledCheck(() => composed.agent.lastPollByBus(), Math.max(60_000, maxPoll * 10), () => this.startedMono),
      storeWritableCheck(() => this.store?.probeWrite()),
      uplinkFreshCheck(
        () => ({ connected: composed.uplink.connected, connectAttempts: composed.uplink.stats.connectAttempts }),
        Math.max(120_000, config.uplink.reconnectMaxMs * 3),
      ),
    ];
  }

  /** EN 81-28 periodic test: the health checks, then a TEST_CALL through the whole chain per lift. */
  selfTest(): void {
    const now = this.opts.clock.now().mono;
    this.lastSelfTest = this.checks().map((c) => c.run(now, 0));
    const bad = this.lastSelfTest.filter((r) => !r.ok);
    if (bad.length) this.opts.logger.warn('self-test: checks failing', { failing: bad.map((r) => `${r.name}: ${r.detail}`) });
    else this.opts.logger.info('self-test passed', {});
    for (const l of this.opts.config.lifts) this.opts.composed.agent.testCall(l.id, 'schedule');
  }

  /** Stores the counts since the last flush under today's date and (if `publish`) publishes the day's totals. */
  flushUsage(publish: boolean): UsageRow[] {
    const store = this.store;
    if (!store) return [];
    const wall = this.opts.clock.now().wall;
    const day = new Date(wall).toISOString().slice(0, 10);
    const synced = this.opts.clockSync?.synced() ?? true;
    const rows: UsageRow[] = [];
    for (const [liftId, u] of this.usage.take()) rows.push(store.add(day, liftId, u, synced));
    if (publish) {
      const { config, composed } = this.opts;
      for (const row of rows) {
        const lift = config.lifts.find((l) => l.id === row.liftId);
        if (!lift) continue;
        composed.uplink.setRetained(usageTopic(composed.root, row.liftId), usagePayload(row, config, lift, wall));
      }
    }
    return rows;
  }

  /** Outbox retention (prune delivered, evict beyond maxBytes, incremental vacuum: src/store/retention.ts). */
  maintenance(): void {
    const r = this.opts.composed.outbox.maintain();
    this.opts.logger.info('outbox maintenance', { pruned: r.pruned, evicted: r.evicted });
  }

  integrity(): void {
    const problems = this.store?.quickCheck() ?? [];
    this.lastIntegrity = { at: this.opts.clock.now().wall, problems };
    if (problems.length) this.opts.logger.error('database quick_check found problems', { problems: problems.slice(0, 10) });
    else this.opts.logger.info('database quick_check ok', {});
  }
}

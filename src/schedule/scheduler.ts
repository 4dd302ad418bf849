/**
 * The only user of node-schedule (style: adapters at the edges). Each job runs on its cron
 * expression; a run that is still going when the next is due is skipped and counted, never
 * queued (no unbounded queue), and an error in one job is logged and never stops the
 * others or the agent.
 */
import type schedule from 'node-schedule';
import { nodeSchedule } from './cron-locale.js'; // loaded when the first job is scheduled, locale fixed first
import type { Logger } from '../ports/logger.js';
import type { Clock } from '../ports/clock.js';

export type JobFn = () => void | Promise<void>;

export interface JobStats {
  name: string;
  cron: string;
  runs: number;
  failures: number;
  skipped: number;
  lastRunAt: number | null; // wall ms
  lastError: string | null;
}

interface Entry {
  stats: JobStats;
  fn: JobFn;
  job: schedule.Job | null;
  running: Promise<void> | null;
}

export class ScheduleError extends Error {
  constructor(
    message: string,
    readonly code: 'SCHEDULE_BAD_CRON' | 'SCHEDULE_DUPLICATE',
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private started = false;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  add(name: string, cron: string, fn: JobFn): void {
    if (this.entries.has(name)) throw new ScheduleError(`job ${name} added twice`, 'SCHEDULE_DUPLICATE');
    this.entries.set(name, {
      stats: { name, cron, runs: 0, failures: 0, skipped: 0, lastRunAt: null, lastError: null },
      fn,
      job: null,
      running: null,
    });
    if (this.started) this.schedule(name);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const name of this.entries.keys()) this.schedule(name);
  }

  /** Cancels every job and waits for runs in progress (bounded by the caller's shutdown timer). */
  async stop(): Promise<void> {
    this.started = false;
    const running: Array<Promise<void>> = [];
    for (const e of this.entries.values()) {
      e.job?.cancel();
      e.job = null;
      if (e.running) running.push(e.running);
    }
    await Promise.all(running);
  }

  stats(): JobStats[] {
    return [...this.entries.values()].map((e) => ({ ...e.stats }));
  }

  /** Runs a job now, outside its schedule (tests, the CLI); same skip and error rules. */
  runNow(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e) return Promise.resolve();
    return this.run(e);
  }

  private schedule(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    // Unnamed: node-schedule keeps named jobs in a process-wide map (two agents in one test process).
    const job = nodeSchedule().scheduleJob(e.stats.cron, () => {
      void this.run(e);
    });
    if (!job) throw new ScheduleError(`job ${name}: cron "${e.stats.cron}" never fires`, 'SCHEDULE_BAD_CRON');
    e.job = job;
  }

  private run(e: Entry): Promise<void> {
    if (e.running) {
      e.stats.skipped++;
      this.logger.warn('job still running, this run skipped', { job: e.stats.name, skipped: e.stats.skipped });
      return e.running;
    }
    e.stats.lastRunAt = this.clock.now().wall;
    const p = (async () => {
      try {
        await e.fn();
        e.stats.runs++;
        e.stats.lastError = null;
      } catch (err) {
        e.stats.failures++;
        e.stats.lastError = err instanceof Error ? err.message : String(err);
        this.logger.error('scheduled job failed', { job: e.stats.name, error: e.stats.lastError });
      }
    })().finally(() => {
      e.running = null;
    });
    e.running = p;
    return p;
  }
}

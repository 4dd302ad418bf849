import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Instant } from '../core/types.js';
import type { Clock, TimerHandle } from '../ports/clock.js';

/** The real clock: monotonic time from performance.now(), wall time from Date.now(). */
export class SystemClock implements Clock {
  now(): Instant {
    return { mono: performance.now(), wall: Date.now() };
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return { id: t };
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle.id as NodeJS.Timeout);
  }
}

/** Whether the wall clock has been synchronized since boot (a box without RTC boots with a wrong clock). */
export interface ClockSync {
  synced(): boolean;
}

export interface SystemClockSyncOptions {
  /** systemd-timesyncd touches this file once synchronized (systemd-timesyncd.service(8)). */
  flagFile?: string;
  /** Asked when the flag file is absent (chrony, ntpd): `timedatectl show -p NTPSynchronized --value`. */
  timedatectl?: string | null;
  refreshMs?: number;
}

/**
 * Reads the kernel's/timesyncd's view of clock synchronization, refreshed every minute off the
 * hot path (events read the cached value). Unknown counts as not synchronized.
 */
export class SystemClockSync implements ClockSync {
  private value = false;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(private readonly opts: SystemClockSyncOptions = {}) {}

  synced(): boolean {
    return this.value;
  }

  start(): void {
    if (this.timer) return;
    this.refresh();
    this.timer = setInterval(() => this.refresh(), this.opts.refreshMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  refresh(): void {
    if (existsSync(this.opts.flagFile ?? '/run/systemd/timesync/synchronized')) {
      this.value = true;
      return;
    }
    const bin = this.opts.timedatectl === undefined ? 'timedatectl' : this.opts.timedatectl;
    if (!bin || this.checking) return;
    this.checking = true;
    execFile(bin, ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      this.checking = false;
      this.value = !err && String(stdout).trim() === 'yes';
    });
  }
}

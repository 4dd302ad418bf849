/**
 * What every bus reader shares (the Modbus poller and the serial-frames reader): an
 * interruptible sleep on the Clock port, the back-off of a silent unit and of a port that
 * will not open, the choice of the next lift due, and the per-unit failure count.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import { classify, type FieldError } from './errors.js';
import type { Logger } from '../ports/logger.js';
import type { UnitStats } from './unit-stats.js';

/** Longest back-off for a silent unit or a closed port: short enough that CONTROLLER_COMM_LOST
 * (3 failed polls and 10 s, docs/taxonomy.md) is raised on time and recovery is seen quickly. */
export const MAX_BACKOFF_MS = 4000;
/** First retry delay for a port that will not open; doubled up to MAX_BACKOFF_MS. */
export const OPEN_BACKOFF_MS = 500;

/** A sleep that `wake()` ends at once (so stop() never waits out a poll interval). */
export class Sleeper {
  private sleeping: { handle: TimerHandle; resolve: () => void } | null = null;
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.sleeping = null;
        resolve();
      }, ms);
      this.sleeping = { handle, resolve };
    });
  }

  /** Ends the current sleep and every later one (the loop is stopping). */
  stop(): void {
    this.stopped = true;
    if (this.sleeping) {
      this.clock.clearTimeout(this.sleeping.handle);
      this.sleeping.resolve();
      this.sleeping = null;
    }
  }

  restart(): void {
    this.stopped = false;
  }
}

/** Next poll delay of a unit after `consecutiveFailures` failures: a silent unit is backed off
 * (doubling) so it cannot starve the others on a shared line (Neuron's per-device degradation). */
export function failureBackoffMs(consecutiveFailures: number, pollIntervalMs: number): number {
  if (consecutiveFailures <= 1) return pollIntervalMs;
  return Math.min(pollIntervalMs * 2 ** (consecutiveFailures - 1), Math.max(MAX_BACKOFF_MS, pollIntervalMs));
}

export function nextOpenBackoff(ms: number): number {
  return Math.min(ms * 2, MAX_BACKOFF_MS);
}

/**
 * When a unit polled on time is next due: on a fixed rate from its previous due time, not a fixed
 * delay from when its poll started. A fixed delay adds each timer's lateness to every interval
 * (the same-job benchmark served 152.7 requests/s of the 160 configured) and drifts the units of
 * one bus apart, so a cycle of 16 units woke the process 16 times instead of once. A unit that
 * fell a whole interval behind (a slow or crowded line) is due at once, without a burst of
 * catch-up polls for the cycles it missed.
 */
export function nextOnRate(prevDue: number, intervalMs: number, nowMono: number): number {
  const next = prevDue + intervalMs;
  return next < nowMono - intervalMs ? nowMono : next;
}

/** The slot due first. */
export function earliest<T extends { nextDue: number }>(slots: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const s of slots) if (!best || s.nextDue < best.nextDue) best = s;
  return best;
}

export function recordFailure(stats: UnitStats, e: FieldError): void {
  stats.errors[e.code]++;
  stats.consecutiveFailures++;
  stats.lastError = e.message;
}

/** Open-port bookkeeping of one bus, shown in its stats. */
export interface OpenState {
  opens: number;
  openFailures: number;
  backoffMs: number;
}

export function newOpenState(): OpenState {
  return { opens: 0, openFailures: 0, backoffMs: OPEN_BACKOFF_MS };
}

/**
 * Opens the port if it is closed. On failure: logs (the first time and every 20th), lets the
 * caller count a missed poll for every lift on the bus (the core counts these towards
 * CONTROLLER_COMM_LOST exactly as for a silent unit), sleeps the back-off and returns false.
 * Never throws: an unplugged adapter is retried, never a crash loop (other gateways crash-looped
 * or stayed stuck until a reboot after a USB adapter was unplugged, zigbee2mqtt #20231, #3334).
 */
export async function ensureOpen(
  port: { readonly isOpen: boolean; open(): Promise<void> },
  st: OpenState,
  busId: string,
  logger: Logger,
  sleeper: Sleeper,
  onFailure: (e: FieldError) => void,
): Promise<boolean> {
  if (port.isOpen) return true;
  try {
    await port.open();
    st.opens++;
    st.backoffMs = OPEN_BACKOFF_MS;
    logger.info('bus open', { bus: busId });
    return true;
  } catch (err) {
    st.openFailures++;
    const e = classify(err, busId);
    if (st.openFailures === 1 || st.openFailures % 20 === 0) {
      logger.warn('bus cannot be opened, retrying', { bus: busId, error: e.message, attempts: st.openFailures });
    }
    onFailure(e);
    await sleeper.sleep(st.backoffMs);
    st.backoffMs = nextOpenBackoff(st.backoffMs);
    return false;
  }
}

/** The statistics both bus readers report (Modbus poller and serial-frames reader), copied. */
export function busStatsOf(
  busId: string,
  isOpen: boolean,
  open: OpenState,
  lastRttMs: number | null,
  slots: ReadonlyArray<{ stats: UnitStats }>,
): { busId: string; state: 'open' | 'closed'; opens: number; openFailures: number; lastRttMs: number | null; units: UnitStats[] } {
  return {
    busId,
    state: isOpen ? 'open' : 'closed',
    opens: open.opens,
    openFailures: open.openFailures,
    lastRttMs,
    units: slots.map((s) => ({ ...s.stats, errors: { ...s.stats.errors } })),
  };
}

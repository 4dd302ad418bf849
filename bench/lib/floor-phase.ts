/**
 * The schedule both floors of the field-bus benchmark share (benchmark 4): `units`
 * units polled like the bus poller polls them (earliest-due unit first, next due one poll
 * interval after its request started, no inter-frame gap), one request at a time, and the CPU
 * of this process per successful transaction over a window after a warm-up.
 */
import { sleep } from './env.js';

export interface FloorPhase {
  txPerSec: number;
  cpuUsPerTx: number;
  failed: number;
}

export interface FloorSchedule {
  units: number;
  pollIntervalMs: number;
  seconds: number;
  warmupMs: number;
}

/** Runs `read(unit)` (unit ids 1..units) on the schedule; resolves after the window. */
export async function scheduledPhase(o: FloorSchedule, read: (unit: number) => Promise<unknown>): Promise<FloorPhase> {
  const nextDue = Array.from({ length: o.units }, () => 0);
  let ok = 0;
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      let u = 0;
      for (let i = 1; i < nextDue.length; i++) if ((nextDue[i] ?? 0) < (nextDue[u] ?? 0)) u = i;
      const wait = (nextDue[u] ?? 0) - performance.now();
      if (wait > 0) await sleep(wait);
      const t0 = performance.now();
      try {
        await read(u + 1);
        ok++;
      } catch {
        failed++;
      }
      nextDue[u] = t0 + o.pollIntervalMs;
    }
  })();
  try {
    await sleep(o.warmupMs);
    const n0 = ok;
    const f0 = failed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(o.seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - t0;
    const tx = ok - n0;
    return { txPerSec: (tx / ms) * 1000, cpuUsPerTx: (cpu.user + cpu.system) / Math.max(1, tx), failed: failed - f0 };
  } finally {
    running = false;
    await loop;
  }
}

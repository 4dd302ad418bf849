/**
 * CPU and RSS of another process, from /proc (proc(5)): utime + stime of /proc/<pid>/stat in
 * clock ticks, VmRSS of /proc/<pid>/status. The same reading for every program a benchmark
 * compares, taken from outside, so no program measures itself differently.
 */
import fs from 'node:fs';
import { median } from './stats.js';

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14, 15)
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface ProcWindow {
  /** CPU used over the window, in % of one core. */
  cpuPercent: number;
  /** Median of the RSS samples (one a second). */
  rssMedianMb: number;
  /** Every RSS sample of the window, MB (to pool several windows). */
  rssSamplesMb: number[];
}

/** Samples each pid once a second for `seconds`; returns per pid the CPU share and median RSS. */
export async function sampleWindow(pids: readonly number[], seconds: number): Promise<ProcWindow[]> {
  const t0 = performance.now();
  const cpu0 = pids.map(cpuSeconds);
  const rss: number[][] = pids.map(() => []);
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    pids.forEach((p, i) => rss[i]!.push(rssMb(p)));
  }
  const wall = (performance.now() - t0) / 1000;
  return pids.map((p, i) => ({ cpuPercent: ((cpuSeconds(p) - cpu0[i]!) / wall) * 100, rssMedianMb: median(rss[i]!), rssSamplesMb: rss[i]! }));
}

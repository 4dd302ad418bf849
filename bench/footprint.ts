/**
 * Benchmark 5, footprint (issue 7): RSS and CPU of the agent process, idle and with 16 lifts
 * polled at 10 Hz, against a bare Node process that loads the same libraries. The simulator
 * and broker run in a third process. RSS slope: least-squares fit over the loaded phase after
 * its warm-up. Target: slope flat; at most 25 MB above the bare process.
 */
import type { Bench, Measured } from './lib/bench.js';
import { BenchChild } from './lib/child.js';
import { benchConfigDoc, writeAndLoad } from './lib/config.js';
import { sleep, tempDir } from './lib/env.js';
import { linearFit, max, mean, round } from './lib/stats.js';
import { unitRuntimeEnv } from './lib/unit-runtime.js';

const LIFTS = 16;
const MB = 1024 * 1024;
/** "Flat": at most this growth per minute over the loaded phase (a leak of 1 MB per 10 min would still pass in a 2-minute window; --soak-minutes 10 tightens it). */
const FLAT_MB_PER_MIN = 0.25;
/**
 * Seconds of the loaded phase before sampling starts. The RSS of a freshly started agent at
 * 16 lifts x 10 Hz climbs for about a minute and then stays put: V8 sizes the old generation
 * from what survives each mark-compact, and the limit settles after the second one (55-60 s
 * here; heap after GC flat, heapTotal 18.9 -> 27.9 MB then constant, RSS 75 -> 84.5 MB then
 * within 0.3 MB for the next 30 s; measured with process.memoryUsage() every 5 s, unit
 * runtime). The old 5 s warm-up fitted that bounded ramp as a "slope" of 3-9 MB/min.
 */
const LOADED_WARMUP_S = 60;

interface Sample {
  rss: number;
  heapUsed: number;
  cpu: { user: number; system: number };
  tx: number;
}

interface Observed {
  rssMB: number;
  rssMaxMB: number;
  cpuShare: number;
  txPerSec: number;
  slopeMBPerMin: number;
  samples: number;
}

async function observe(child: BenchChild<object>, seconds: number, warmupS: number, everyMs: number): Promise<Observed> {
  await sleep(warmupS * 1000);
  const samples: Array<Sample & { t: number }> = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const s = await child.ask<Sample>('sample');
    samples.push({ ...s, t: performance.now() });
    await sleep(everyMs);
  }
  const first = samples[0] as Sample & { t: number };
  const last = samples[samples.length - 1] as Sample & { t: number };
  const wall = (last.t - first.t) / 1000;
  const cpuS = (last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system) / 1e6;
  const fit = linearFit(samples.map((s) => (s.t - first.t) / 60_000), samples.map((s) => s.rss / MB));
  return {
    rssMB: mean(samples.map((s) => s.rss / MB)),
    rssMaxMB: max(samples.map((s) => s.rss / MB)),
    cpuShare: wall > 0 ? cpuS / wall : Number.NaN,
    txPerSec: wall > 0 ? (last.tx - first.tx) / wall : 0,
    slopeMBPerMin: fit.slope,
    samples: samples.length,
  };
}

export const footprintBench: Bench = {
  name: 'footprint',
  title: 'Footprint',
  target: 'RSS slope flat; RSS ≤ bare + 25 MB',
  async run(opts): Promise<Measured> {
    const loadedS = Math.round(opts.soakMinutes * 60);
    const shortS = opts.quick ? 8 : 20;
    const tmp = tempDir('footprint');
    // Both measured processes run with the unit's NODE_OPTIONS and MALLOC_ARENA_MAX (bench/lib/unit-runtime.ts).
    const runtime = unitRuntimeEnv();
    const sim = new BenchChild<{ busPort: number; mqttPort: number }>('sim-server.js', [String(LIFTS)]);
    const children: Array<BenchChild<object>> = [];
    try {
      const { busPort, mqttPort } = await sim.start();
      const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
      // Bare baseline.
      opts.log(`footprint: bare process, ${shortS} s`);
      const bareChild = new BenchChild<object>('bare.js', [], runtime.env);
      children.push(bareChild);
      await bareChild.start();
      const bare = await observe(bareChild, shortS, 2, 1000);
      await bareChild.stop();
      // Idle: the agent with its 16 lifts read once every 10 s.
      const idleCfg = writeAndLoad(tmp.dir, benchConfigDoc({ dir: tmp.dir, dbFile: `${tmp.dir}/idle.db`, busPort, mqttUrl, lifts: LIFTS, pollIntervalMs: 10_000 }));
      opts.log(`footprint: agent idle, ${shortS} s`);
      const idleChild = new BenchChild<object>('agent.js', [idleCfg.file], runtime.env);
      children.push(idleChild);
      await idleChild.start();
      const idle = await observe(idleChild, shortS, 3, 1000);
      await idleChild.stop();
      // Loaded: 16 lifts at 10 Hz.
      const loadCfg = writeAndLoad(tmp.dir, benchConfigDoc({ dir: tmp.dir, dbFile: `${tmp.dir}/loaded.db`, busPort, mqttUrl, lifts: LIFTS, pollIntervalMs: 100 }));
      opts.log(`footprint: agent, 16 lifts at 10 Hz, ${loadedS} s`);
      const loadChild = new BenchChild<object>('agent.js', [loadCfg.file], runtime.env);
      children.push(loadChild);
      await loadChild.start();
      const warm = LOADED_WARMUP_S;
      const loaded = await observe(loadChild, loadedS, warm, opts.quick ? 1000 : 2000);
      await loadChild.stop();

      const above = loaded.rssMaxMB - bare.rssMaxMB;
      const flat = loaded.slopeMBPerMin <= FLAT_MB_PER_MIN;
      return {
        headline: `loaded RSS ${round(loaded.rssMaxMB, 1)} MB (bare ${round(bare.rssMaxMB, 1)} MB, +${round(above, 1)} MB), slope ${round(loaded.slopeMBPerMin, 3)} MB/min, CPU ${round(loaded.cpuShare * 100, 1)} %`,
        ratio: round(above / 25),
        pass: above <= 25 && flat,
        figures: {
          'RSS idle MB (max)': round(idle.rssMaxMB, 1),
          'RSS loaded MB (max)': round(loaded.rssMaxMB, 1),
          'RSS above bare MB': round(above, 1),
          'RSS slope MB/min (loaded)': round(loaded.slopeMBPerMin, 3),
          'CPU idle %': round(idle.cpuShare * 100, 2),
          'CPU loaded %': round(loaded.cpuShare * 100, 2),
          'tx/s loaded': round(loaded.txPerSec, 1),
          'loaded window s': loadedS,
        },
        baseline: {
          'RSS idle MB (max)': round(bare.rssMaxMB, 1),
          'CPU idle %': round(bare.cpuShare * 100, 2),
          'flat: slope ≤ MB/min': FLAT_MB_PER_MIN,
        },
        notes: [
          `Three processes: the measured one (bare, then the agent), and the simulator + aedes broker. Idle = the agent with its 16 lifts read once every 10 s; loaded = 16 lifts at 100 ms (160 transactions/s asked).`,
          `Loaded window ${loadedS} s after ${warm} s warm-up${opts.soakMinutes < 10 ? ` — shorter than the issue's 10 minutes; run \`--only footprint --soak-minutes 10\` for the full soak` : ''}; RSS sampled every ${opts.quick ? 1 : 2} s (${loaded.samples} samples), no forced GC.`,
          'CPU % = CPU seconds per wall second of the whole process (100 % = one core).',
          `Runtime of both measured processes as systemd/liftwatch.service sets it: ${Object.entries(runtime.applied).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}.`,
        ],
      };
    } finally {
      for (const c of children) await c.stop();
      await sim.stop();
      tmp.remove();
    }
  },
};

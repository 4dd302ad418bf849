/**
 * Benchmark 5, footprint: RSS and CPU of the agent process, idle and with 16 lifts
 * polled at 10 Hz, against a bare Node process that loads the same libraries. The simulator
 * and broker run in their own process. Target: RSS flat; at most 25 MB above the bare process.
 *
 * "Flat" is judged on a second loaded agent that runs alongside from the start and forces a
 * full garbage collection before each sample (bench only: --expose-gc): the slope of its live
 * set (V8 heap after GC + external memory), which any leak of objects or Buffers grows. The natural RSS of an agent polling 16 lifts at 10 Hz is a sawtooth
 * of V8's heap sizing minutes long (heapTotal grows a step at each mark-compact, 24 -> 28.7 MB
 * over 6 minutes, and the memory reducer hands pages back: 82.9 -> 76.3 MB at minute 9), so its
 * least-squares slope over a 2-minute window measured where in that cycle the window fell
 * (-0.58 to +3.2 MB/min on one tree). The natural figures give the RSS above bare and the CPU;
 * their slope is reported, not judged.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bench, Measured } from './lib/bench.js';
import { BenchChild } from './lib/child.js';
import { benchConfigDoc, writeAndLoad } from './lib/config.js';
import { sleep, tempDir } from './lib/env.js';
import { linearFit, max, mean, round } from './lib/stats.js';
import { unitRuntimeEnv } from './lib/unit-runtime.js';

const LIFTS = 16;
const MB = 1024 * 1024;
/** "Flat": at most this growth of the live set per minute over the loaded window (a leak of 1 MB per 10 min would still pass in a 2-minute window; --soak-minutes 10 tightens it). */
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
/** Fresh bare processes whose median peak RSS is the baseline. */
const BARE_RUNS = 3;
/** Sampling period of the live-set agent (a full GC per sample costs it ~10-20 ms of CPU). */
const LIVE_EVERY_MS = 5000;

interface Sample {
  rss: number;
  heapUsed: number;
  heapTotal?: number;
  external?: number;
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

/** Samples a child every `everyMs` with a full GC first ('sample-gc') until stopped. */
function liveSampler(child: BenchChild<object>, everyMs: number): { stop: () => Promise<Array<Sample & { t: number }>> } {
  const samples: Array<Sample & { t: number }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await child.ask<Sample & { collected?: boolean }>('sample-gc');
      // Without --expose-gc the child cannot collect, and the samples would be natural ones.
      if (!s.collected) throw new Error('live-set agent: no full GC before the sample (is --expose-gc in its NODE_OPTIONS?)');
      samples.push({ ...s, t: performance.now() });
      await sleep(everyMs);
    }
  })();
  loop.catch(() => undefined); // handled: stop() rethrows it
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
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
      // The live-set agent: same config (own database, own gateway id), same runtime plus
      // --expose-gc, started first so its start-up (JIT, first snapshots, caches filling) is
      // over before the window it is judged on, the natural agent's loaded window.
      const liveDir = path.join(tmp.dir, 'live');
      fs.mkdirSync(liveDir);
      const liveDoc = benchConfigDoc({ dir: liveDir, dbFile: `${liveDir}/live.db`, busPort, mqttUrl, lifts: LIFTS, pollIntervalMs: 100 });
      liveDoc['gateway'] = { id: 'bench-gw-live' };
      const liveCfg = writeAndLoad(liveDir, liveDoc);
      const liveEnv = { ...runtime.env, NODE_OPTIONS: `${runtime.env['NODE_OPTIONS'] ?? ''} --expose-gc`.trim() };
      const liveChild = new BenchChild<object>('agent.js', [liveCfg.file], liveEnv);
      children.push(liveChild);
      await liveChild.start();
      const liveSampling = liveSampler(liveChild, LIVE_EVERY_MS);
      // Bare baseline.
      // Bare baseline: BARE_RUNS fresh processes, the median of their peaks. A bare process's RSS
      // is constant while it idles but differs from start to start by up to 8 MB (62.5-71.1 MB
      // in 11 starts): the malloc arenas' size after start-up, i.e. what V8's worker threads
      // allocated and freed meanwhile.
      opts.log(`footprint: bare process, ${BARE_RUNS} starts × ${shortS / 2} s`);
      const bares: Observed[] = [];
      for (let i = 0; i < BARE_RUNS; i++) {
        const bareChild = new BenchChild<object>('bare.js', [], runtime.env);
        children.push(bareChild);
        await bareChild.start();
        bares.push(await observe(bareChild, shortS / 2, 2, 1000));
        await bareChild.stop();
      }
      const bareByPeak = [...bares].sort((x, y) => x.rssMaxMB - y.rssMaxMB);
      const bare = bareByPeak[Math.floor(BARE_RUNS / 2)] as Observed;
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
      const windowStart = performance.now() + warm * 1000;
      const loaded = await observe(loadChild, loadedS, warm, opts.quick ? 1000 : 2000);
      await loadChild.stop();
      const liveAll = await liveSampling.stop();
      await liveChild.stop();
      const live = liveAll.filter((x) => x.t >= windowStart);
      const liveT0 = liveAll[0]?.t ?? 0;
      const minutesOf = (xs: Array<{ t: number }>): number[] => xs.map((x) => (x.t - (xs[0]?.t ?? 0)) / 60_000);
      const liveRssSlope = linearFit(minutesOf(live), live.map((x) => x.rss / MB)).slope;
      const liveHeapSlope = linearFit(minutesOf(live), live.map((x) => x.heapUsed / MB)).slope;
      // The live set: the V8 heap after a full GC plus the memory V8 knows is held outside it
      // (Buffers and other ArrayBuffers). A leak of JavaScript objects or of Buffers grows it
      // one for one; page granularity and malloc's reuse of freed space do not blur it as they
      // blur RSS (a 512 KiB/min Buffer leak moved RSS after GC by only 0.18 MB/min in 2 minutes).
      const liveSet = (x: Sample): number => (x.heapUsed + (x.external ?? 0)) / MB;
      const liveSetSlope = linearFit(minutesOf(live), live.map(liveSet)).slope;
      const liveFirst = live[0];
      const liveLast = live[live.length - 1];
      if (!liveFirst || !liveLast || live.length < 3) throw new Error(`live-set agent: ${live.length} samples in the window`);
      const liveWarmS = (liveFirst.t - liveT0) / 1000;

      const above = loaded.rssMaxMB - bare.rssMaxMB;
      const flat = liveSetSlope <= FLAT_MB_PER_MIN;
      return {
        headline: `loaded RSS ${round(loaded.rssMaxMB, 1)} MB (bare ${round(bare.rssMaxMB, 1)} MB, +${round(above, 1)} MB), live set ${round(liveSetSlope, 3)} MB/min (RSS after full GC ${round(liveRssSlope, 3)}), CPU ${round(loaded.cpuShare * 100, 1)} %`,
        ratio: round(above / 25),
        pass: above <= 25 && flat,
        figures: {
          'RSS idle MB (max)': round(idle.rssMaxMB, 1),
          'RSS loaded MB (max)': round(loaded.rssMaxMB, 1),
          'RSS above bare MB': round(above, 1),
          'live set slope MB/min: heap + external after a full GC (live-set agent; judged)': round(liveSetSlope, 3),
          'heap after full GC slope MB/min (live-set agent)': round(liveHeapSlope, 3),
          'RSS after full GC slope MB/min (live-set agent)': round(liveRssSlope, 3),
          'live set MB, window start -> end': `${round(liveSet(liveFirst), 1)} -> ${round(liveSet(liveLast), 1)}`,
          'RSS after full GC MB, window start -> end': `${round(liveFirst.rss / MB, 1)} -> ${round(liveLast.rss / MB, 1)}`,
          'heap after full GC MB, window start -> end': `${round(liveFirst.heapUsed / MB, 1)} -> ${round(liveLast.heapUsed / MB, 1)}`,
          'natural RSS slope MB/min (loaded; V8 heap sizing, not judged)': round(loaded.slopeMBPerMin, 3),
          'CPU idle %': round(idle.cpuShare * 100, 2),
          'CPU loaded %': round(loaded.cpuShare * 100, 2),
          'tx/s loaded': round(loaded.txPerSec, 1),
          'loaded window s': loadedS,
        },
        baseline: {
          'RSS idle MB (max)': round(bare.rssMaxMB, 1),
          'RSS of each bare start MB (median is the baseline)': bares.map((b) => round(b.rssMaxMB, 1)).join(' '),
          'CPU idle %': round(bare.cpuShare * 100, 2),
          'flat: slope ≤ MB/min': FLAT_MB_PER_MIN,
        },
        notes: [
          `Four processes: the measured one (bare, then the idle agent, then the loaded agent), the live-set agent (below), and the simulator + aedes broker. Idle = the agent with its 16 lifts read once every 10 s; loaded = 16 lifts at 100 ms (160 transactions/s asked).`,
          `Loaded window ${loadedS} s after ${warm} s warm-up${opts.soakMinutes < 10 ? ` — shorter than the full soak's 10 minutes; run \`--only footprint --soak-minutes 10\` for the full soak` : ''}; RSS sampled every ${opts.quick ? 1 : 2} s (${loaded.samples} samples), no forced GC: RSS above bare and CPU come from these.`,
          `Flat: a second agent (same config, own database, --expose-gc) polls alongside from before the bare phase; over the same ${loadedS} s window (after ${round(liveWarmS, 0)} s of its own run) it is sampled every ${LIVE_EVERY_MS / 1000} s right after a full GC (${live.length} samples). Verdict: the least-squares slope of its live set (process.memoryUsage heapUsed + external: JavaScript objects, Buffers and other ArrayBuffers), which a leak of either grows one for one, without V8's heap-sizing sawtooth. Its RSS after GC is reported beside it: native memory (SQLite's page caches, bounded by cache_size) shows only there, blurred by malloc reusing freed space; a native leak is the long soak's to find (docs/operations.md). While it runs, the idle agent and the natural loaded agent share the machine with it (CPU figures are the measured process's own).`,
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

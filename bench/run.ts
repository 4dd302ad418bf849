/**
 * liftwatch's benchmark suite (docs/performance.md): `npm run bench` (build, then this file).
 *
 *   node dist/bench/run.js [--quick] [--only name[,name]] [--soak-minutes N] [--out DIR]
 *
 * Runs each benchmark with the real parts on loopback, every figure a ratio to a baseline
 * measured in the same run, and writes bench/results/latest.{md,json}. Bounded: a watchdog
 * ends the process if the suite ever overruns its budget.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/load.js';
import type { Bench, BenchOptions } from './lib/bench.js';
import { machineInfo } from './lib/env.js';
import { failed, writeReport, type BenchResult, type SuiteReport } from './lib/report.js';
import { latencyBench } from './latency.js';
import { drainBench } from './drain.js';
import { ingestBench } from './ingest.js';
import { fieldBusBench } from './fieldbus.js';
import { footprintBench } from './footprint.js';
import { scaleBench } from './scale.js';
import { facilityBench } from './facility.js';
import { startupBench } from './startup.js';
import { sameJobBench } from './samejob.js';
import { partsBench } from './parts.js';

export const BENCHES: readonly Bench[] = [latencyBench, drainBench, ingestBench, fieldBusBench, footprintBench, scaleBench, startupBench, facilityBench, sameJobBench, partsBench];

function usage(): string {
  return `usage: node dist/bench/run.js [--quick] [--only ${BENCHES.map((b) => b.name).join('|')}[,...]] [--soak-minutes N] [--out DIR]`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'soak-minutes': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}\n${usage()}\n`);
    return 2;
  }
  const quick = values.quick ?? false;
  const soakMinutes = values['soak-minutes'] !== undefined ? Number(values['soak-minutes']) : quick ? 1 / 3 : 2;
  if (!(soakMinutes > 0 && soakMinutes <= 60)) {
    process.stderr.write(`--soak-minutes must be in (0, 60]\n`);
    return 2;
  }
  const outDir = values.out ? path.resolve(values.out) : path.join(packageRoot(), 'bench', 'results');
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const opts: BenchOptions = { quick, soakMinutes, log };

  // The suite must stop by itself, within a bounded time: overrun => report and exit.
  // The same-job benchmark alone runs 3 rounds of two 3-minute phases (1 round of two 50 s in --quick).
  const sameJobMinutes = only && !only.includes('samejob') ? 0 : quick ? 2 : 20;
  // The parts benchmark: 4 fresh processes of ~5 s per round, 7 rounds (3 in --quick).
  const partsMinutes = only && !only.includes('parts') ? 0 : quick ? 1 : 3;
  const budgetMs = (quick ? 5 : 12) * 60_000 + soakMinutes * 2 * 60_000 + (sameJobMinutes + partsMinutes) * 60_000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`[bench] suite exceeded its ${budgetMs / 60_000} min budget; exiting\n`);
    process.exit(3);
  }, budgetMs);
  watchdog.unref();

  const started = Date.now();
  const machine = machineInfo();
  const results: BenchResult[] = [];
  for (const b of BENCHES) {
    if (only && !only.includes(b.name)) continue;
    log(`${b.name}: ${b.title} ...`);
    const t0 = Date.now();
    try {
      const m = await b.run(opts);
      results.push({ name: b.name, title: b.title, target: b.target, durationMs: Date.now() - t0, ...m });
      log(`${b.name}: ${m.headline} -> ${m.pass === null ? 'n/a' : m.pass ? 'pass' : 'FAIL'} (${Math.round((Date.now() - t0) / 100) / 10} s)`);
    } catch (err) {
      results.push(failed(b.name, b.title, b.target, err, Date.now() - t0));
      log(`${b.name}: ERROR ${(err as Error).stack ?? String(err)}`);
    }
  }
  const report: SuiteReport = {
    startedAt: new Date(started).toISOString(),
    mode: quick ? 'quick' : 'full',
    options: { only: only ? only.join(',') : null, soakMinutes },
    machine,
    durationMs: Date.now() - started,
    results,
  };
  const files = writeReport(outDir, report);
  log(`wrote ${files.md} and ${files.json}`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Soak benchmark for unattended operation (memory must stay flat over days): the whole unattended stack in one
 * process, time-compressed: 8 simulated lifts running trips, polled every 50 ms (about 10x a
 * real site's poll rate), every scheduled job every 1-5 s (health, self-test and TEST_CALL,
 * usage, outbox maintenance, quick_check: ~10,000x their real rate), the watchdog checks
 * every 250 ms, and the controller link dropped and restored every 20 s. Heap and RSS are
 * sampled after a forced GC; the least-squares slope over the run after a warm-up says
 * whether anything grows.
 *
 *   node dist/bench/soak-unattended.js [--seconds 120] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseConfig } from '../src/config/load.js';
import { loadProfilesForConfig } from '../src/config/profiles.js';
import { composeAgent } from '../src/agent/compose.js';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { Simulator } from '../src/sim/simulator.js';
import { scenarioByName } from '../src/sim/scenarios.js';
import { ConsoleLogger } from '../test/helpers/console-logger.js';
import { SystemClock } from '../src/platform/system-clock.js';
import { Operations } from '../src/agent/operations.js';

const LIFTS = 8;
const MB = 1024 * 1024;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 120);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-soak-'));
  const quiet = new ConsoleLogger({ level: 'silent' });
  const broker = new EmbeddedBroker({ port: 0, logger: quiet });
  const brokerPort = (await broker.start()).port;
  const units = Array.from({ length: LIFTS }, (_, i) => i + 1);
  const sim = new Simulator({ lifts: units.map((u) => ({ unitId: u, landings: 6, seed: u })), scenario: scenarioByName('trips', units) });
  let simPort = (await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' })).port;
  sim.start();
  const yaml = [
    'site: { id: soak, name: "Soak" }',
    'gateway: { id: gw }',
    'buses:',
    `  - { id: field, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 100, retries: 0, interFrameGapMs: 1 }`,
    'lifts:',
    ...units.map((u) => `  - { id: L${u}, bus: field, unitId: ${u}, profile: liftwatch-sim, landings: ["0","1","2","3","4","5"], pollIntervalMs: 50 }`),
    `uplink: { url: "mqtt://127.0.0.1:${brokerPort}", reconnectMinMs: 100, reconnectMaxMs: 1000 }`,
    `storage: { path: ${JSON.stringify(path.join(dir, 'soak.db'))}, maxBytes: 8388608, maxAgeDays: 1 }`,
    'schedule:',
    '  health: { cron: "* * * * * *" }',
    '  selfTest: { cron: "*/5 * * * * *" }',
    '  usage: { cron: "*/2 * * * * *" }',
    '  maintenance: { cron: "*/3 * * * * *" }',
    '  integrity: { cron: "*/5 * * * * *" }',
    '',
  ].join('\n');
  const config = parseConfig(yaml, path.join(dir, 'soak.yaml'));
  const composed = composeAgent({ config, profiles: loadProfilesForConfig(config), logger: quiet });
  await composed.agent.start();
  const clock = new SystemClock();
  const ops = new Operations({ config, composed, clock, logger: quiet });
  ops.start();
  const checks = ops.checks(500);
  let checkRuns = 0;
  let checkFailures = 0;
  const checkTimer = setInterval(() => {
    const now = clock.now().mono;
    for (const c of checks) {
      checkRuns++;
      if (!c.run(now, 0).ok) checkFailures++;
    }
  }, 250);
  let polls = 0;
  let events = 0;
  composed.agent.on({ poll: () => void polls++, event: () => void events++ });

  const samples: Array<{ t: number; heap: number; rss: number }> = [];
  const t0 = Date.now();
  let nextDrop = 20_000;
  let dropped = false;
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const el = Date.now() - t0;
    if (el >= nextDrop) {
      // The controller link drops (simulator gone) and comes back 3 s later on the same port.
      if (!dropped) {
        await sim.stop();
        dropped = true;
        nextDrop = el + 3000;
      } else {
        simPort = (await sim.listenTcp({ host: '127.0.0.1', port: simPort, framing: 'rtu' })).port;
        sim.start();
        dropped = false;
        nextDrop = el + 20_000;
      }
    }
    gc();
    const m = process.memoryUsage();
    if (process.argv.includes('--verbose')) process.stderr.write(`${(el / 1000).toFixed(0)} s heap ${(m.heapUsed / MB).toFixed(1)} MB polls ${polls} events ${events}\n`);
    samples.push({ t: el / 60_000, heap: m.heapUsed / MB, rss: m.rss / MB });
  }
  clearInterval(checkTimer);
  await ops.stop();
  await composed.agent.stop();
  await sim.stop();
  await broker.stop();
  fs.rmSync(dir, { recursive: true, force: true });

  const warm = samples.filter((s) => s.t >= Math.min(0.5, seconds / 240));
  const result = {
    seconds,
    lifts: LIFTS,
    polls,
    events,
    jobs: ops.jobStats().map((j) => ({ name: j.name, runs: j.runs, failures: j.failures, skipped: j.skipped })),
    checkRuns,
    checkFailures,
    heapMB: { first: warm[0]?.heap, last: warm[warm.length - 1]?.heap, max: Math.max(...warm.map((s) => s.heap)) },
    rssMB: { first: warm[0]?.rss, last: warm[warm.length - 1]?.rss, max: Math.max(...warm.map((s) => s.rss)) },
    heapSlopeMBPerMin: slope(warm.map((s) => s.t), warm.map((s) => s.heap)),
    rssSlopeMBPerMin: slope(warm.map((s) => s.t), warm.map((s) => s.rss)),
  };
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(
      [
        `soak: ${seconds} s, ${LIFTS} lifts at 50 ms, ${polls} polls, ${events} events`,
        `jobs: ${result.jobs.map((j) => `${j.name} ${j.runs} runs/${j.failures} failed/${j.skipped} skipped`).join(', ')}`,
        `health checks: ${checkRuns} runs, ${checkFailures} failing (link drops make none fail: polls keep answering)`,
        `heap after GC: ${result.heapMB.first?.toFixed(1)} -> ${result.heapMB.last?.toFixed(1)} MB (max ${result.heapMB.max.toFixed(1)}), slope ${result.heapSlopeMBPerMin.toFixed(3)} MB/min`,
        `rss: ${result.rssMB.first?.toFixed(1)} -> ${result.rssMB.last?.toFixed(1)} MB (max ${result.rssMB.max.toFixed(1)}), slope ${result.rssSlopeMBPerMin.toFixed(3)} MB/min`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});

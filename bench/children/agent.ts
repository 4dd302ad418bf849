/**
 * The agent as its own process for the footprint benchmark: loads a config file with the real
 * loader, composes and starts the agent as `liftwatch run` does, and answers 'sample' with RSS,
 * CPU and successful transactions. Stops the agent cleanly on 'stop' or disconnect.
 *
 *   node dist/bench/children/agent.js <config.yaml>
 */
import { composeAgent } from '../../src/agent/compose.js';
import { loadAll } from '../../src/cli/load.js';
import { BenchLogger } from '../lib/env.js';

/**
 * BENCH_LEAK_KB_PER_MIN (bench only): a deliberate leak, to show that the footprint
 * benchmark's flatness verdict fails on one. Every second, that many KiB per minute are kept for
 * ever: as a Buffer (memory outside the V8 heap), or with BENCH_LEAK_KIND=js as a string on it.
 */
function leakOnPurpose(): void {
  const kbPerMin = Number(process.env['BENCH_LEAK_KB_PER_MIN'] ?? 0);
  if (!(kbPerMin > 0)) return;
  const bytes = Math.round((kbPerMin * 1024) / 60);
  const js = process.env['BENCH_LEAK_KIND'] === 'js';
  const kept: unknown[] = [];
  setInterval(() => {
    const b = Buffer.alloc(bytes, 0x41);
    kept.push(js ? b.toString('latin1') : b);
  }, 1000).unref();
}

async function main(): Promise<void> {
  leakOnPurpose();
  const file = process.argv[2];
  if (!file) throw new Error('usage: agent.js <config.yaml>');
  const { config, profiles } = loadAll(file);
  const c = composeAgent({ config, profiles, logger: new BenchLogger() });
  await c.agent.start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await c.agent.stop();
    process.disconnect?.();
  };
  process.on('message', (m) => {
    if (m === 'stop') {
      void stop();
      return;
    }
    // 'sample-gc': a full collection first (the child runs with --expose-gc), so the figures are
    // the live set and what native memory holds, without V8's heap-sizing ramp.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (m === 'sample-gc') gc?.();
    let tx = 0;
    for (const b of c.agent.busStats()) for (const u of b.units) tx += u.ok;
    const mem = process.memoryUsage();
    process.send?.({ rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, cpu: process.cpuUsage(), tx, connected: c.uplink.connected, collected: m === 'sample-gc' && gc !== undefined });
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true });
}

main().catch((err: unknown) => {
  process.send?.({ ready: false, error: (err as Error).message });
  process.exitCode = 1;
});

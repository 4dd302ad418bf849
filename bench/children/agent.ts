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

async function main(): Promise<void> {
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
    let tx = 0;
    for (const b of c.agent.busStats()) for (const u of b.units) tx += u.ok;
    const mem = process.memoryUsage();
    process.send?.({ rss: mem.rss, heapUsed: mem.heapUsed, cpu: process.cpuUsage(), tx, connected: c.uplink.connected });
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true });
}

main().catch((err: unknown) => {
  process.send?.({ ready: false, error: (err as Error).message });
  process.exitCode = 1;
});

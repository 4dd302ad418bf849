/**
 * Child process for the field-bus and footprint benchmarks: liftwatch's simulator (RTU over
 * TCP) and an embedded aedes broker, outside the measured process so their CPU and memory are
 * not counted. Reports `{ ready, busPort, mqttPort }` over IPC; stops on 'stop' or disconnect.
 *
 *   node dist/bench/children/sim-server.js <lifts>
 */
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { Simulator } from '../../src/sim/simulator.js';
import { BenchLogger } from '../lib/env.js';

async function main(): Promise<void> {
  const lifts = Number(process.argv[2] ?? 16);
  const sim = new Simulator({
    lifts: Array.from({ length: lifts }, (_, i) => ({ unitId: i + 1, landings: 6, seed: 100 + i })),
    // Normal trips: registers change as cars move, so the agent does its usual work per sample.
    scenario: { name: 'trips', autoTrips: true, steps: [] },
  });
  const { port: busPort } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
  sim.start();
  const broker = new EmbeddedBroker({ port: 0, logger: new BenchLogger() });
  const { port: mqttPort } = await broker.start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    await broker.stop();
    process.disconnect?.();
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true, busPort, mqttPort });
}

main().catch((err: unknown) => {
  process.stderr.write(`sim-server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

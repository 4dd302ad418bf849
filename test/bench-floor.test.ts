/**
 * The field-bus benchmark's floors (bench/lib/raw-socket.ts, bench/lib/bare-modbus.ts) must
 * really exchange frames with the simulator: a floor whose requests all timed out would make
 * the agent's "own" CPU look small. No timing is asserted, only that answers arrive and that
 * a unit nobody answers for is counted as failed.
 */
import t from 'tap';
import { rawSocketPhase } from '../bench/lib/raw-socket.js';
import { bareModbusPhase } from '../bench/lib/bare-modbus.js';
import { Simulator } from '../src/sim/simulator.js';

const req = { table: 'holding' as const, address: 0, count: 5 };

void t.test('the runtime floor and bare modbus-serial get answers from the simulator', async (t) => {
  const sim = new Simulator({ lifts: [1, 2].map((unitId) => ({ unitId, landings: 6, seed: unitId })) });
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
  sim.start();
  t.teardown(() => sim.stop());
  const o = { port, req, units: 2, pollIntervalMs: 20, seconds: 0.4, warmupMs: 100, timeoutMs: 300 };
  for (const [name, run] of [['runtime floor', rawSocketPhase], ['bare modbus-serial', bareModbusPhase]] as const) {
    const r = await run(o);
    t.equal(r.failed, 0, `${name}: no failed exchange`);
    t.ok(r.txPerSec > 0 && Number.isFinite(r.cpuUsPerTx), `${name}: answers counted (${r.txPerSec.toFixed(0)} tx/s)`);
  }
  // Unit 3 is not simulated: its requests time out and must count as failures, not as transactions.
  const silent = await rawSocketPhase({ ...o, units: 3, timeoutMs: 50 });
  t.ok(silent.failed > 0, `runtime floor: a silent unit counts as failed (${silent.failed})`);
});

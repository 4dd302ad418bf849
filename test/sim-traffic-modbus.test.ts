/**
 * Traffic profiles over real Modbus bytes: what a DI-module wiring (generic-di-16, function 02)
 * reads from the simulator is the bounced contact state, transitions and bounce included, so a
 * bench or an end-to-end test sees the same traffic as the model tests. Simulated time is
 * advanced by hand between reads (no real-time clock), so the run is exact and fast.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import ModbusSerial from 'modbus-serial';
import { STATUS_BITS } from '../src/sim/register-image.js';
import { Simulator } from '../src/sim/simulator.js';
import { TRAFFIC } from '../src/sim/traffic.js';
import { bin, cli } from './helpers/cli-agent.js';
import { waitFor } from './helpers/e2e.js';

const ModbusRTU = ModbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

async function connect(port: number): Promise<Client> {
  const client = new ModbusRTU();
  client.setTimeout(1000);
  await client.connectTelnet('127.0.0.1', { port });
  return client;
}

async function close(c: Client): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 200);
    c.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

void t.test('a DI view that hides the traffic: a shuttle read with function 02 shows its trips, its chain following the doors, and its bounce', async (t) => {
  const sim = new Simulator({ lifts: [{ unitId: 3, landings: 2, seed: 12, traffic: TRAFFIC.shuttle }], scenario: { name: 'trips', steps: [] } });
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
  const client = await connect(port);
  t.teardown(async () => {
    await close(client);
    await sim.stop();
  });
  client.setID(3);
  const lift = sim.lift(3);
  const bit = (name: (typeof STATUS_BITS)[number]): number => STATUS_BITS.indexOf(name);
  let mismatches = 0;
  let bounceReads = 0;
  let chainOpenReads = 0;
  let movingReads = 0;
  let openLimitReads = 0;
  for (let ms = 0; ms < 60_000; ms += 10) {
    sim.advance(10);
    const di = (await client.readDiscreteInputs(0, 16)).data;
    const s = lift.signals();
    const settled = lift.settledSignals();
    if (STATUS_BITS.some((name, i) => di[i] !== s[name])) mismatches++;
    if (STATUS_BITS.some((name) => s[name] !== settled[name])) bounceReads++;
    if (!di[bit('safetyChain')]) chainOpenReads++;
    if (di[bit('moving')]) movingReads++;
    if (di[bit('doorOpenLimit')]) openLimitReads++;
  }
  t.equal(mismatches, 0, 'the discrete inputs are the bounced status bits, read for read');
  t.ok(lift.model.trips >= 6, `${lift.model.trips} trips in a simulated minute`);
  t.ok(movingReads > 0 && openLimitReads > 0, 'runs and open doors on the wire');
  t.ok(chainOpenReads > 0, 'the chain reads open while the doors are open (chainIncludesDoors)');
  t.ok(bounceReads > 0, `${bounceReads} reads caught a contact mid-bounce`);
});

void t.test('liftwatch simulate --traffic/--behaviour: served on the wire, bad names refused as usage errors', async (t) => {
  const child = spawn(process.execPath, [bin, 'simulate', '--listen', 'tcp://127.0.0.1:0', '--units', '1,2', '--traffic', 'shuttle', '--behaviour', 'door-obstructed@2', '--behaviour', 'loose-contact:doorZone'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const port = Number(await waitFor(() => /simulator: tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1], 15_000, 'the simulator to listen'));
  await waitFor(() => out.includes('Ctrl-C stops'), 5_000, 'the banner');
  t.match(out, /scenario trips, traffic shuttle/, 'a bench run defaults to normal trips, not the demo faults');
  t.match(out, /unit 2: door-obstructed/, 'door-obstructed on unit 2 only');
  t.notMatch(out, /unit 1: door-obstructed/);
  t.match(out, /unit 1: loose-contact/);
  t.match(out, /unit 2: loose-contact/, 'without @UNITS a behaviour goes to every unit');
  const client = await connect(port);
  for (const unit of [1, 2]) {
    client.setID(unit);
    const di = await client.readDiscreteInputs(0, 16);
    t.ok(di.data.length >= 16, `unit ${unit} answers function 02`);
  }
  await close(client);
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 on SIGTERM');

  for (const args of [['--traffic', 'rush-hour'], ['--behaviour', 'explode'], ['--behaviour', 'bad-door-limit:safetyChain']]) {
    const r = await cli(['simulate', '--listen', 'tcp://127.0.0.1:0', ...args]);
    t.equal(r.code, 2, `${args.join(' ')}: usage error`);
    t.match(r.stderr, /liftwatch simulate: /);
  }
});

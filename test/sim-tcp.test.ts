// The simulator over real sockets, answered to a real modbus-serial master.
// Note: modbus-serial's `connectTcpRTUBuffered` sends MBAP-framed requests (it strips the CRC
// and adds an MBAP header, ports/tcprtubufferedport.js), so it pairs with `framing: 'mbap'`;
// raw RTU over TCP is modbus-serial's `connectTelnet` (ports/telnetport.js).
import net from 'node:net';
import t from 'tap';
import ModbusSerial from 'modbus-serial';
import { appendCrc } from '../src/protocol/modbus/crc16.js';
import { Simulator } from '../src/sim/simulator.js';

// Under NodeNext the CJS default import is typed as the module; `.default` is the class
// (index.js sets module.exports.default = module.exports, so this holds at runtime too).
const ModbusRTU = ModbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

function makeSim(): Simulator {
  const sim = new Simulator({ lifts: [{ unitId: 1, landings: 6, seed: 1 }, { unitId: 2, landings: 3, seed: 2 }] });
  sim.lift(1).hold({ floor: 4, direction: 'up', moving: true, doorZone: false, faultCode: 513, callRegistered: true });
  sim.lift(2).hold({ alarmButton: true, moving: false, floor: 1 });
  return sim;
}

async function closeClient(c: Client): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 200);
    c.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

void t.test('RTU over TCP answers connectTelnet', async (t) => {
  const sim = makeSim();
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
  t.ok(port > 0, 'an ephemeral port was bound and reported');
  const client = new ModbusRTU();
  client.setTimeout(500);
  await client.connectTelnet('127.0.0.1', { port });
  t.teardown(async () => {
    await closeClient(client);
    await sim.stop();
  });

  client.setID(1);
  const hr = await client.readHoldingRegisters(0, 5);
  t.same(hr.data, sim.lift(1).registers(), 'holding registers are the register image');
  t.equal(hr.data[1], 4, 'floor');
  t.equal(hr.data[2], 1, 'direction up');
  t.equal(hr.data[3], 513, 'fault code');
  t.equal(hr.data[4], 1, 'call registered');
  t.equal(((hr.data[0] ?? 0) >> 5) & 1, 1, 'moving bit');
  const ir = await client.readInputRegisters(0, 5);
  t.same(ir.data, hr.data, 'input registers mirror holding registers');

  client.setID(2);
  const di = await client.readDiscreteInputs(0, 16);
  t.equal(di.data[6], true, 'unit 2 alarm button input');
  t.equal(di.data[5], false, 'unit 2 not moving');
  const coils = await client.readCoils(0, 16);
  t.same(coils.data, di.data, 'coils mirror discrete inputs');

  const err = await client.readHoldingRegisters(5, 1).then(
    () => null,
    (e: unknown) => e as { modbusCode?: number },
  );
  t.equal(err?.modbusCode, 2, 'illegal data address for register 5');
  const wr = await client.writeRegister(0, 1).then(
    () => null,
    (e: unknown) => e as { modbusCode?: number },
  );
  t.equal(wr?.modbusCode, 1, 'writes are an illegal function');

  client.setID(9);
  const silent = await client.readHoldingRegisters(0, 5).then(
    () => null,
    (e: unknown) => e as Error & { errno?: string },
  );
  t.ok(silent, 'an unknown unit is not answered');
  t.match(String(silent?.message ?? silent?.errno), /tim/i, 'the master times out');

  client.setID(1);
  t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(1).registers(), 'still serving after the timeout');
  const stats = sim.stats();
  t.ok((stats.units.find((u) => u.unitId === 1)?.requestsServed ?? 0) >= 3);
  t.ok(stats.link.unknownUnit >= 1);
});

void t.test('Modbus TCP (MBAP) answers connectTCP and connectTcpRTUBuffered', async (t) => {
  const sim = makeSim();
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'mbap' });
  const a = new ModbusRTU();
  a.setTimeout(500);
  await a.connectTCP('127.0.0.1', { port });
  const b = new ModbusRTU();
  b.setTimeout(500);
  await b.connectTcpRTUBuffered('127.0.0.1', { port });
  t.teardown(async () => {
    await closeClient(a);
    await closeClient(b);
    await sim.stop();
  });
  a.setID(1);
  t.same((await a.readHoldingRegisters(0, 5)).data, sim.lift(1).registers());
  b.setID(2);
  t.same((await b.readHoldingRegisters(0, 5)).data, sim.lift(2).registers());
  t.equal((await b.readDiscreteInputs(6, 1)).data[0], true);
  const err = await a.readInputRegisters(0, 6).then(
    () => null,
    (e: unknown) => e as { modbusCode?: number },
  );
  t.equal(err?.modbusCode, 2);
});

void t.test('a request with a bad CRC is ignored, like a real slave', async (t) => {
  const sim = makeSim();
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  t.teardown(async () => {
    sock.destroy();
    await sim.stop();
  });
  const received: Buffer[] = [];
  sock.on('data', (d: Buffer) => received.push(d));
  const good = appendCrc(Buffer.from([1, 3, 0, 0, 0, 5]));
  const bad = Buffer.from(good);
  bad[6] = (bad[6] ?? 0) ^ 0x01;
  sock.write(bad);
  await new Promise((r) => setTimeout(r, 150));
  t.equal(Buffer.concat(received).length, 0, 'no answer to a corrupted request');
  sock.write(good);
  await new Promise((r) => setTimeout(r, 150));
  const answer = Buffer.concat(received);
  t.equal(answer.length, 3 + 10 + 2, 'the next good request is answered');
  t.same([...answer.subarray(0, 3)], [1, 3, 10]);
  t.equal(sim.stats().link.crcErrors, 1);
});

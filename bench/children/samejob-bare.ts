/**
 * The bare script of the "same job" benchmark: what an integrator writes instead of liftwatch.
 * modbus-serial reads 16 holding registers of each of 16 units over Modbus TCP every 100 ms,
 * and mqtt.js publishes a unit's registers with QoS 1 when any changed. No persistence, no
 * classification, no state. Run as `node samejob-bare.js <slavePort> <mqttUrl>`.
 */
import ModbusSerial from 'modbus-serial';
import mqtt from 'mqtt';

const [slavePort, mqttUrl] = process.argv.slice(2);
const UNITS = 16;
const POLL_MS = 100;

const client = new ModbusSerial.default();
client.on('error', () => undefined);
const broker = mqtt.connect(mqttUrl!, { clientId: 'samejob-bare', clean: true });
broker.on('error', () => undefined);
const last = new Map<number, string>();

async function pollAll(): Promise<void> {
  for (let unit = 1; unit <= UNITS; unit++) {
    try {
      client.setID(unit);
      const { data } = await client.readHoldingRegisters(0, 16);
      const key = data.join(',');
      if (last.get(unit) !== key) {
        last.set(unit, key);
        broker.publish(`bare/unit/${unit}`, JSON.stringify({ unit, registers: data, at: Date.now() }), { qos: 1 });
      }
    } catch {
      // a failed read is retried at the next poll
    }
  }
}

async function main(): Promise<void> {
  await client.connectTCP('127.0.0.1', { port: Number(slavePort) });
  client.setTimeout(1000);
  for (;;) {
    const started = Date.now();
    await pollAll();
    await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - started))));
  }
}

process.on('SIGTERM', () => process.exit(0));
main().catch((err: unknown) => {
  process.stderr.write(`samejob-bare: ${String(err)}\n`);
  process.exit(1);
});

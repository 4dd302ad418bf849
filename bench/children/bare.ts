/**
 * The footprint baseline: a bare Node process that loads the libraries the agent loads
 * (better-sqlite3 with its native addon, mqtt, modbus-serial with serialport, yaml, ajv) and
 * does nothing. Answers 'sample' with its RSS and CPU; exits on 'stop' or disconnect.
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import ModbusSerial from 'modbus-serial';
import { parse } from 'yaml';
import { Ajv } from 'ajv';

// Touch each library once so lazy parts (the native addon above all) are really loaded.
const db = new Database(':memory:');
db.close();
void [mqtt.connect, ModbusSerial.default, parse('a: 1'), new Ajv()];

process.on('message', (m) => {
  if (m === 'stop') {
    process.disconnect?.();
    return;
  }
  process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, cpu: process.cpuUsage(), tx: 0 });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

/**
 * The footprint baseline: a bare Node process that loads the libraries the agent loads
 * (better-sqlite3 with its native addon, mqtt, modbus-serial with serialport, yaml, ajv,
 * cron-parser with luxon: the agent child loads exactly these packages, checked by listing
 * require.cache in both) and does nothing. Answers 'sample' with its RSS and CPU; exits on 'stop' or disconnect.
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import ModbusSerial from 'modbus-serial';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import cronParser from 'cron-parser';

// Touch each library once so lazy parts (the native addon above all) are really loaded.
const db = new Database(':memory:');
db.close();
// cron-parser is only loaded: parsing would build luxon dates, which the agent does with its
// locale fixed (src/schedule/cron-locale.ts); here that would map ICU data the agent avoids.
void [mqtt.connect, ModbusSerial.default, parse('a: 1'), new Ajv(), cronParser.parseExpression];

process.on('message', (m) => {
  if (m === 'stop') {
    process.disconnect?.();
    return;
  }
  process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, cpu: process.cpuUsage(), tx: 0 });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

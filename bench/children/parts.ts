/**
 * One process of the required-parts benchmark (bench/parts.ts): loads what the same-job script
 * loads (modbus-serial, mqtt.js), then the parts named on the command line, used as the agent
 * uses them, and prints its memory after a settling pause as one JSON line.
 *
 *   node parts.js <dir> [store] [schedule]
 *
 * store: the SQLite outbox and the usage store on one file, as `liftwatch run` opens them (two
 * connections, WAL, synchronous=FULL, statements prepared, a read of pending events, a usage row
 * written). schedule: the scheduler with the five jobs of the configuration's defaults (cron
 * expressions read from config/schema.json), started, their work a no-op.
 */
import fs from 'node:fs';
import path from 'node:path';
import ModbusSerial from 'modbus-serial';
import mqtt from 'mqtt';
import { packageRoot } from '../../src/config/load.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { UsageStore } from '../../src/store/usage-store.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { SystemClock } from '../../src/platform/system-clock.js';
import { uuidIds } from '../../src/platform/uuid-ids.js';
import { quietLogger } from '../lib/quiet-logger.js';

const SETTLE_MS = 4000;
const [dir, ...parts] = process.argv.slice(2);

// The script's libraries, in use as the script uses them (neither reaches a peer here).
const client = new ModbusSerial.default();
client.on('error', () => undefined);
const broker = mqtt.connect('mqtt://127.0.0.1:1', { reconnectPeriod: 0 });
broker.on('error', () => undefined);

const clock = new SystemClock();
if (parts.includes('store')) {
  const file = path.join(dir!, 'agent.db');
  const outbox = SqliteOutbox.open(file, { clock, eventIds: uuidIds });
  outbox.pending(100);
  const usage = UsageStore.open(file, { clock });
  usage.add('2026-01-01', 'L1', { trips: 1, doorCycles: 2, runningMs: 3000, faults: {} }, true);
}
if (parts.includes('schedule')) {
  const schema = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'config', 'schema.json'), 'utf8')) as {
    properties: { schedule: { properties: Record<string, { properties: { cron: { default: string } } }> } };
  };
  const scheduler = new Scheduler(quietLogger, clock);
  for (const [name, job] of Object.entries(schema.properties.schedule.properties)) scheduler.add(name, job.properties.cron.default, () => undefined);
  scheduler.start();
}

// A full collection first, then a pause: what stays is what the parts hold, not start-up garbage
// (a fresh process's heap is at its start-up peak, and where a collection falls decides it).
const gc = (globalThis as { gc?: () => void }).gc;
setTimeout(() => gc?.(), SETTLE_MS / 2);
setTimeout(() => {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  process.stdout.write(JSON.stringify({ rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fileKb: kb('RssFile'), heapKb: Math.round(process.memoryUsage().heapUsed / 1024) }) + '\n');
  process.exit(0);
}, SETTLE_MS);

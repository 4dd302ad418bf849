// The facility side's intake through a real broker (aedes in-process) and a real SQLite file:
// every message checked against the published schemas, cases committed, a persistent session.
import t, { type Test } from 'tap';
import path from 'node:path';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { Intake } from '../src/facility/intake.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import type { FacilityStore } from '../src/facility/ports.js';

const committing = (store: FacilityStore) => ({ event: (e: (typeof day)[number]) => store.handleEvent(e, () => [], 0) });
import { captureLogger, tempDir, waitFor } from './uplink-helpers.js';
import { districtDay } from './helpers/facility-day.js';
import { missingTools, startMosquitto } from './mosquitto-helpers.js';

const day = districtDay({ gateways: 2, liftsPerGateway: 2, incidentsPerLift: 4, seed: 3 });
const topicOf = (e: (typeof day)[number]) => `liftwatch/${e.site.id}/${e.gatewayId}/lift/${e.lift.id}/event`;

async function setUp(t: Test) {
  const broker = new EmbeddedBroker({ port: 0, logger: captureLogger() });
  const { port } = await broker.start();
  const { dir, cleanup } = tempDir();
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  t.teardown(async () => {
    await pub.endAsync(true);
    await broker.stop();
    cleanup();
  });
  return { port, dir, pub };
}

void t.test('a message that does not follow the contract is counted and named with its topic; the rest still make cases', async (t) => {
  const { port, dir, pub } = await setUp(t);
  const store = new SqliteFacilityStore(path.join(dir, 'cases.db'), 0);
  const invalid: string[] = [];
  const intake = new Intake({ ...committing(store), onInvalid: (topic, kind, problem) => invalid.push(`${kind} ${topic}: ${problem}`) });
  await intake.start({ url: `mqtt://127.0.0.1:${port}`, clientId: 'facility-1', topicPrefixes: ['liftwatch'] });
  t.teardown(async () => { await intake.stop(); await store.close(); });

  const bad = 'liftwatch/site1/gw1/lift/A/event';
  await pub.publishAsync(bad, 'not json at all', { qos: 1 });
  await pub.publishAsync(bad, JSON.stringify({ ...day[0], seq: 'seven' }), { qos: 1 });
  await pub.publishAsync('liftwatch/site1/gw1/status', JSON.stringify({ schema: 'liftwatch.status/1', state: 'sleeping' }), { qos: 1 });
  for (const e of day) await pub.publishAsync(topicOf(e), JSON.stringify(e), { qos: 1 });

  const alarms = new Set(day.map((e) => e.alarmId)).size;
  await waitFor(async () => (await store.listCases()).length === alarms && intake.counters.received === day.length + 3, 10_000, 'every case made');
  t.equal(intake.counters.invalid.event, 2, 'two bad events counted');
  t.equal(intake.counters.invalid.status, 1, 'one bad status counted');
  t.match(invalid[0], /^event liftwatch\/site1\/gw1\/lift\/A\/event: not JSON/, 'the topic and the problem are named');
  t.match(invalid[1], /seq: must be integer/, 'the field and what was expected are named');
  t.match(invalid[2], /status liftwatch\/site1\/gw1\/status: /);
  t.equal((await store.listCases()).length, alarms, 'one case per alarmId, bad messages made none');
});

/** Half the day with the service up, half while it is down; all of it must end in the store. */
async function persistentSession(t: Test, url: string, pub: mqtt.MqttClient, dir: string, clientId: string): Promise<void> {
  const file = path.join(dir, 'cases.db');
  const opts = { url, clientId, topicPrefixes: ['liftwatch'] };
  const store1 = new SqliteFacilityStore(file, 0);
  const first = new Intake(committing(store1));
  await first.start(opts);
  const half = Math.floor(day.length / 2);
  for (const e of day.slice(0, half)) await pub.publishAsync(topicOf(e), JSON.stringify(e), { qos: 1 });
  await waitFor(() => first.counters.received === half, 10_000, 'first half received');
  await first.stop();
  await store1.close();

  for (const e of day.slice(half)) await pub.publishAsync(topicOf(e), JSON.stringify(e), { qos: 1 });
  const store2 = new SqliteFacilityStore(file, 0);
  const second = new Intake(committing(store2));
  await second.start(opts);
  t.teardown(async () => { await second.stop(); await store2.close(); });
  await waitFor(() => second.counters.received >= day.length - half, 10_000, 'the queued half delivered');
  t.equal((await store2.listCases()).length, new Set(day.map((e) => e.alarmId)).size, 'every incident has its case');
  t.equal((await store2.listCases()).reduce((n, c) => n + c.steps.length, 0), day.length, 'every step, once');
}

void t.test('events published while the service is down arrive when it comes back (persistent session, aedes)', async (t) => {
  const { port, dir, pub } = await setUp(t);
  await persistentSession(t, `mqtt://127.0.0.1:${port}`, pub, dir, 'facility-persist');
});

void t.test('the same through mosquitto', { skip: missingTools('mosquitto') ?? false }, async (t) => {
  const { dir, cleanup } = tempDir();
  const mosq = await startMosquitto(dir);
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosq.port}`, { reconnectPeriod: 0 });
  t.teardown(async () => {
    await pub.endAsync(true);
    await mosq.stop();
    cleanup();
  });
  await persistentSession(t, `mqtt://127.0.0.1:${mosq.port}`, pub, dir, 'facility-mosquitto');
});

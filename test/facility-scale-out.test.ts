// Two facility services (the real binary) on one MQTT 5 shared subscription of a real mosquitto
// and one real PostgreSQL: a burst of a district's events, each published once more at random
// (a gateway's redeliveries), ends with each step stored once, one case per alarmId, and every
// action delivered once to a real HTTP sink (its idempotency keys counted). Then the same with one
// instance SIGKILLed mid-burst and restarted: nothing lost, nothing doubled.
// Aedes does not do shared subscriptions; mosquitto (Debian) does.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { PostgresFacilityStore } from '../src/facility/postgres-store.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import { bin } from './helpers/cli-agent.js';
import { directoryFor, districtDay } from './helpers/facility-day.js';
import { webhookSink } from './helpers/facility-sinks.js';
import { patient } from './helpers/patience.js';
import { startPostgres, type Postgres } from './helpers/postgres.js';
import { needTool } from './helpers/tools.js';
import { startMosquitto } from './mosquitto-helpers.js';
import { sleep, tempDir, waitFor } from './uplink-helpers.js';

const root = t;
let server: Postgres | null | undefined;
let dbs = 0;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

async function setUp(t: Test) {
  if (needTool(t, 'mosquitto', 'mosquitto') === null) return null;
  if (server === undefined) server = await startPostgres(root);
  if (server === null) return null;
  const store = await server.database(`scale_${++dbs}`);
  const { dir, cleanup } = tempDir();
  const broker = await startMosquitto(dir);
  const sms = await webhookSink();
  const crm = await webhookSink();
  const day = districtDay({ gateways: 4, liftsPerGateway: 2, incidentsPerLift: 6, seed: 41 + dbs });
  writeFileSync(path.join(dir, 'directory.yaml'), directoryFor(day));
  writeFileSync(path.join(dir, 'secret'), 'scale-out-secret\n');
  const config = (id: string) => {
    const file = path.join(dir, `${id}.yaml`);
    writeFileSync(file, [
      `mqtt: { url: "mqtt://127.0.0.1:${broker.port}", clientId: ${id}, sharedGroup: facility }`,
      `store: "${store}"`,
      'directory: ./directory.yaml',
      `webhooks: { messages: { url: "${sms.url}", secretFile: ./secret }, crm: { url: "${crm.url}", secretFile: ./secret } }`,
      'rules: { tenantGroupSec: 0, ackTimeoutSec: 1 }',
      'delivery: { claimSec: 3 }',
      'console: { port: 0 }',
    ].join('\n') + '\n');
    return file;
  };
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
  const db = new pg.Client({ connectionString: store });
  await db.connect();
  const children = new Set<ChildProcess>();
  t.teardown(async () => {
    for (const c of children) c.kill('SIGKILL');
    await db.end();
    await pub.endAsync(true);
    await broker.stop();
    await Promise.all([sms.close(), crm.close()]);
    cleanup();
  });
  const logs = new Map<string, string>();
  const startService = async (id: string): Promise<ChildProcess> => {
    const c = spawn(process.execPath, [bin, 'facility', '--config', config(id), '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(c);
    c.once('exit', () => children.delete(c));
    const seen = logs.get(id) ?? '';
    let out = '';
    const note = (d: Buffer) => { out += d.toString(); logs.set(id, seen + out); };
    c.stdout.on('data', note);
    c.stderr.on('data', note);
    await waitFor(() => out.includes('facility ready') || c.exitCode !== null, patient(15_000), `${id} to be ready`);
    if (c.exitCode !== null) throw new Error(`${id} exited ${c.exitCode}: ${out}`);
    return c;
  };
  const kill = async (c: ChildProcess) => {
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  };
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  /** Every step stored and every action settled. */
  const settled = async () => (await count('SELECT count(*) AS n FROM steps')) === day.length && (await count("SELECT count(*) AS n FROM actions WHERE state = 'pending'")) === 0;
  const publish = async (rnd: () => number, paceMs: number) => {
    for (const e of day) {
      const topic = `liftwatch/${e.site.id}/${e.gatewayId}/lift/${e.lift.id}/event`;
      await pub.publishAsync(topic, JSON.stringify(e), { qos: 1 });
      // About one in five published twice: the second copy may go to the other instance.
      if (rnd() < 0.2) await pub.publishAsync(topic, JSON.stringify({ ...e, historical: true }), { qos: 1 });
      if (paceMs > 0) await sleep(Math.floor(rnd() * 2 * paceMs));
    }
  };
  /** The store's cases against the in-order cases; the sink's keys against the outbox. */
  const check = async (t: Test) => {
    const reference = new SqliteFacilityStore(':memory:', 0);
    for (const e of day) await reference.handleEvent(e, () => [], 0);
    const mine = new PostgresFacilityStore(store);
    const strip = (cases: Awaited<ReturnType<typeof reference.listCases>>) => cases.map((c) => ({ alarmId: c.alarmId, status: c.status, steps: c.steps.map((s) => s.eventId) })).sort((a, b) => a.alarmId.localeCompare(b.alarmId));
    t.same(strip(await mine.listCases()), strip(await reference.listCases()), 'one case per alarmId, each step applied once, none lost');
    await mine.close();
    await reference.close();
    const actions = (await db.query<{ key: string; state: string; claimed_by: string | null }>("SELECT key, state, claimed_by FROM actions WHERE state != 'superseded'")).rows;
    t.same(actions.filter((a) => a.state !== 'sent'), [], 'no action left unsent or failed');
    const delivered = [...sms.calls, ...crm.calls].flatMap((c) => c.json['actionKeys'] as string[]);
    const got = new Set(delivered);
    const committed = new Set(actions.map((a) => a.key));
    t.same([...committed].filter((k) => !got.has(k)), [], 'every committed action reached its webhook');
    t.same([...got].filter((k) => !committed.has(k)), [], 'nothing reached a webhook that the outbox does not hold');
    const crmKeys = new Set((crm.calls.flatMap((c) => c.json['actionKeys'] as string[])));
    t.same(day.filter((e) => !crmKeys.has(`crm/${e.alarmId}/${e.eventId}`)).map((e) => e.eventId), [], 'the CRM got every step');
    const byInstance = new Map<string, number>();
    for (const a of actions) byInstance.set(a.claimed_by ?? '?', (byInstance.get(a.claimed_by ?? '?') ?? 0) + 1);
    return { delivered: delivered.length, distinct: got.size, byInstance, committed: committed.size };
  };
  return { day, startService, kill, settled, publish, check, logs, password: server.password };
}

void t.test('two instances on one shared subscription: each event handled once, each action sent once', async (t) => {
  const s = await setUp(t);
  if (s === null) return;
  await Promise.all([s.startService('facility-a'), s.startService('facility-b')]);
  const t0 = Date.now();
  await s.publish(prng(7), 0);
  await waitFor(s.settled, patient(60_000), 'every step stored and every action settled');
  const ms = Date.now() - t0;
  const r = await s.check(t);
  t.equal(r.delivered, r.distinct, 'no idempotency key reached the sink twice');
  const handled = (id: string) => (s.logs.get(id) ?? '').split('step handled').length - 1;
  t.ok(handled('facility-a') > 0 && handled('facility-b') > 0, `the broker shared the steps: ${handled('facility-a')} handled by a, ${handled('facility-b')} by b`);
  t.comment(`actions claimed and sent, by instance: ${JSON.stringify(Object.fromEntries(r.byInstance))}`);
  t.comment(`${s.day.length} events (+ about 20 % twice) and ${r.committed} actions settled in ${ms} ms by two instances`);
  for (const [id, log] of s.logs) t.notMatch(log, s.password, `${id}: the store's password is not in the log`);
  t.match(s.logs.get('facility-a') ?? '', /postgres:\/\/liftwatch:HIDDEN@127\.0\.0\.1/, 'the store is logged with its password hidden');
});

void t.test('an instance SIGKILLed mid-burst: nothing lost, nothing doubled (the other one carries on)', async (t) => {
  const s = await setUp(t);
  if (s === null) return;
  let a = await s.startService('facility-a');
  await s.startService('facility-b');
  const rnd = prng(11);
  const publishing = s.publish(rnd, 8);
  for (let k = 0; k < 3; k++) {
    await sleep(400 + Math.floor(rnd() * 800));
    await s.kill(a);
    // Restarted, as systemd would: its session (and what the broker queued for it) is still there.
    await sleep(300);
    a = await s.startService('facility-a');
  }
  await publishing;
  await waitFor(s.settled, patient(60_000), 'every step stored and every action settled');
  const r = await s.check(t);
  t.comment(`${s.day.length} events, ${r.committed} actions, ${r.delivered - r.distinct} sent again after a kill (same key: dropped by the receiver)`);
  t.ok(r.delivered - r.distinct <= 3, 'a repeat only for a send cut by a kill (one per kill at most)');
});

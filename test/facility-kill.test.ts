// The facility service (the real binary) SIGKILLed again and again during a burst of a district's
// events: no step lost (the cases equal the in-order cases), no action lost (every committed
// action reaches the webhook, every step reaches the CRM), none settled twice under two keys.
// LIFTWATCH_HEAVY=1 kills it 50 times instead of 6.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import { bin } from './helpers/cli-agent.js';
import { directoryFor, districtDay } from './helpers/facility-day.js';
import { webhookSink } from './helpers/facility-sinks.js';
import { patient } from './helpers/patience.js';
import { captureLogger, sleep, tempDir, waitFor } from './uplink-helpers.js';

const KILLS = process.env['LIFTWATCH_HEAVY'] === '1' ? 50 : 6;
const SEED = Number(process.env['LIFTWATCH_SEED'] ?? 20261203);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

void t.test(`SIGKILLed ${KILLS} times during a burst: nothing lost, nothing settled twice (seed ${SEED})`, async (t) => {
  const rnd = prng(SEED);
  const broker = new EmbeddedBroker({ port: 0, logger: captureLogger() });
  const { port } = await broker.start();
  const { dir, cleanup } = tempDir();
  const sms = await webhookSink();
  const crm = await webhookSink();
  const day = districtDay({ gateways: 4, liftsPerGateway: 2, incidentsPerLift: Math.max(6, KILLS), seed: SEED % 1000 });
  writeFileSync(path.join(dir, 'directory.yaml'), directoryFor(day));
  writeFileSync(path.join(dir, 'secret'), 'kill-test-secret\n');
  const cfgFile = path.join(dir, 'facility.yaml');
  writeFileSync(cfgFile, [
    `mqtt: { url: "mqtt://127.0.0.1:${port}", clientId: facility-kill }`,
    'store: ./facility.db',
    'directory: ./directory.yaml',
    `webhooks: { messages: { url: "${sms.url}", secretFile: ./secret }, crm: { url: "${crm.url}", secretFile: ./secret } }`,
    'rules: { tenantGroupSec: 0 }',
    'console: { port: 0 }',
  ].join('\n') + '\n');
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  let child: ChildProcess | null = null;
  t.teardown(async () => {
    child?.kill('SIGKILL');
    await pub.endAsync(true);
    await broker.stop();
    await Promise.all([sms.close(), crm.close()]);
    cleanup();
  });

  const startService = async (): Promise<ChildProcess> => {
    const c = spawn(process.execPath, [bin, 'facility', '--config', cfgFile, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('facility ready') || c.exitCode !== null, patient(15_000), 'the facility service to be ready');
    if (c.exitCode !== null) throw new Error(`the facility service exited ${c.exitCode}: ${out}`);
    return c;
  };
  const kill = async (c: ChildProcess) => {
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  };

  child = await startService();
  // The burst: every event published at a steady pace while the service is killed at random moments.
  // Paced to last about as long as the kill loop, so kills land in the middle of it.
  const pace = Math.max(5, Math.round((KILLS * 1500) / day.length));
  const publishing = (async () => {
    for (const e of day) {
      await pub.publishAsync(`liftwatch/${e.site.id}/${e.gatewayId}/lift/${e.lift.id}/event`, JSON.stringify(e), { qos: 1 });
      await sleep(Math.floor(rnd() * 2 * pace));
    }
  })();
  for (let k = 0; k < KILLS; k++) {
    // Half the kills at a random moment, half just as a message reaches a webhook, in the
    // middle of a delivery round, where an outbox that marks before it sends would lose one.
    const calls = sms.calls.length + crm.calls.length;
    const until = Date.now() + 100 + Math.floor(rnd() * 1500);
    const onDelivery = rnd() < 0.5;
    while (Date.now() < until && !(onDelivery && sms.calls.length + crm.calls.length > calls)) await sleep(2);
    await kill(child);
    child = await startService();
  }
  await publishing;

  // Drain: the last instance takes what the broker queued and sends what the outbox holds.
  const dbFile = path.join(dir, 'facility.db');
  const pending = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return {
        steps: (db.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n,
        pending: (db.prepare("SELECT count(*) AS n FROM actions WHERE state = 'pending'").get() as { n: number }).n,
      };
    } finally {
      db.close();
    }
  };
  await waitFor(() => { const p = pending(); return p.steps === day.length && p.pending === 0; }, patient(60_000), 'every step stored and every action settled');
  await kill(child);
  child = null;

  const store = new SqliteFacilityStore(dbFile, 0);
  t.teardown(() => store.close());
  const reference = new SqliteFacilityStore(':memory:', 0);
  for (const e of day) await reference.handleEvent(e, () => [], 0);
  const strip = (cases: Awaited<ReturnType<typeof store.listCases>>) => cases.map((c) => ({ alarmId: c.alarmId, status: c.status, steps: c.steps.map((s) => s.eventId) })).sort((a, b) => a.alarmId.localeCompare(b.alarmId));
  t.same(strip((await store.listCases())), strip((await reference.listCases())), 'the cases equal the in-order cases: no step lost');
  await reference.close();

  const actions = new Database(dbFile, { readonly: true }).prepare("SELECT key, state FROM actions WHERE state != 'superseded'").all() as Array<{ key: string; state: string }>;
  t.same(actions.filter((a) => a.state !== 'sent'), [], 'no action left unsent or failed');
  const delivered = (calls: typeof sms.calls) => calls.flatMap((c) => c.json['actionKeys'] as string[]);
  const got = new Set([...delivered(sms.calls), ...delivered(crm.calls)]);
  const committed = new Set(actions.map((a) => a.key));
  t.same([...committed].filter((k) => !got.has(k)), [], 'every committed action reached its webhook');
  t.same([...got].filter((k) => !committed.has(k)), [], 'nothing reached a webhook that the outbox does not hold');
  const crmKeys = new Set(delivered(crm.calls));
  t.same(day.filter((e) => !crmKeys.has(`crm/${e.alarmId}/${e.eventId}`)).map((e) => e.eventId), [], 'the CRM got every step');
  const resent = delivered([...sms.calls, ...crm.calls]).length - got.size;
  t.comment(`${day.length} events, ${committed.size} actions, ${resent} resent after a kill (same key: dropped by the receiver)`);
  t.ok(resent <= KILLS * 2, 'resends only around kills');
});

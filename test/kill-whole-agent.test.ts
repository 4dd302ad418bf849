/**
 * The whole agent SIGKILLed again and again: the real binary (`liftwatch run`, with the systemd
 * unit's V8 limits) polling the simulator over Modbus RTU-over-TCP while faults raise and clear
 * (the demo scenario on units 1 and 2, mains lost on lift C and the safety chain open on lift D
 * for the whole run, so incidents stay open across kills, and EN 81-28 test calls requested over
 * MQTT on every lift), delivering to a real mosquitto, killed at random moments and restarted.
 * After every kill the database passes its integrity check; at the end every event committed is
 * delivered, seq is unique and per-alarm order holds, and no incident was raised twice under two
 * alarmIds. 6 kills in every run; 50 with LIFTWATCH_HEAVY=1 (`npm run test:heavy`).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { Prng } from '../src/sim/prng.js';
import { bin, root } from './helpers/cli-agent.js';
import { patient } from './helpers/patience.js';
import { missingTools, startMosquitto } from './mosquitto-helpers.js';
import { freePort, sleep, tempDir, waitFor } from './uplink-helpers.js';

const KILLS = process.env['LIFTWATCH_HEAVY'] === '1' ? 50 : 6;
t.setTimeout(patient(KILLS * 20_000 + 120_000));
const SEED = Number(process.env['LIFTWATCH_SEED'] ?? 4242);
const UNIT_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2']; // systemd/liftwatch.service
const LIFTS = ['A', 'B', 'C', 'D'];

function config(dir: string, simPort: number, mqttPort: number): string {
  const lift = (id: string, unit: number) => `  - { id: ${id}, bus: sim, unitId: ${unit}, profile: liftwatch-sim, landings: ["0", "1", "2", "3", "4", "5"], pollIntervalMs: 250 }`;
  return [
    'site: { id: kill-site, name: Kill Site }',
    'gateway: { id: kill-gw }',
    `buses: [{ id: sim, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 300, retries: 1 }]`,
    'lifts:',
    ...LIFTS.map((id, i) => lift(id, i + 1)),
    'broker: { enabled: false }',
    `uplink: { url: "mqtt://127.0.0.1:${mqttPort}" }`,
    `storage: { path: ${JSON.stringify(path.join(dir, 'agent.db'))} }`,
    `diagnostics: { socket: ${JSON.stringify(path.join(dir, 'agent.sock'))}, group: false }`,
    '',
  ].join('\n');
}

interface Row { seq: number; event_id: string; lift_id: string; alarm_id: string; code: string; lifecycle: string; delivered_at: number | null }

function rows(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    // Delivered: marked one by one, or at or under its priority's delivered watermark
    // (src/store/delivered-watermark.ts records a batch of in-order PUBACKs as one row).
    return db.prepare(
      `SELECT seq, event_id, lift_id, alarm_id, code, lifecycle,
              coalesce(delivered_at, (SELECT u.at FROM delivered_upto u WHERE u.priority = events.priority AND events.seq <= u.seq)) AS delivered_at
       FROM events WHERE kind = 'alarm' ORDER BY seq`,
    ).all() as Row[];
  } finally {
    db.close();
  }
}

void t.test(`the real agent SIGKILLed ${KILLS} times while faults raise and clear: nothing lost, nothing doubled (seed ${SEED})`, { skip: missingTools('mosquitto') ?? false }, async (t) => {
  const prng = new Prng(SEED);
  const t0 = Date.now();
  const { dir, cleanup } = tempDir();
  const mosq = await startMosquitto(dir);
  const simPort = await freePort();
  const sim = spawn(process.execPath, [bin, 'simulate', '--listen', `tcp://127.0.0.1:${simPort}`, '--units', '1,2,3,4', '--scenario', 'demo', '--behaviour', 'mains-lost@3', '--behaviour', 'safety-chain-open@4', '--seed', String(SEED)], { stdio: 'ignore' });
  const cfg = path.join(dir, 'liftwatch.yaml');
  writeFileSync(cfg, config(dir, simPort, mosq.port));
  const dbFile = path.join(dir, 'agent.db');

  // The facility's side: a persistent session that records every event, and test-call requests.
  const got = new Map<string, { seq: number; liftId: string; alarmId: string; lifecycle: string }>();
  let deliveries = 0;
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosq.port}`, { clientId: 'kill-observer', clean: false, reconnectPeriod: 200 });
  sub.on('message', (_topic, payload) => {
    const e = JSON.parse(payload.toString()) as { eventId: string; seq: number; lift: { id: string }; alarmId: string; lifecycle: string };
    deliveries++;
    got.set(e.eventId, { seq: e.seq, liftId: e.lift.id, alarmId: e.alarmId, lifecycle: e.lifecycle });
  });
  await sub.subscribeAsync('liftwatch/kill-site/kill-gw/lift/+/event', { qos: 1 });
  const requester = setInterval(() => {
    const liftId = LIFTS[prng.int(0, LIFTS.length - 1)]!;
    sub.publish('liftwatch/kill-site/kill-gw/request/test', JSON.stringify({ liftId }), { qos: 1 });
  }, 150);

  let agent: ChildProcess | null = null;
  t.teardown(async () => {
    clearInterval(requester);
    agent?.kill('SIGKILL');
    sim.kill('SIGKILL');
    await sub.endAsync(true);
    await mosq.stop();
    cleanup();
  });
  let lastOut = '';
  const start = async (): Promise<ChildProcess> => {
    const c = spawn(process.execPath, [...UNIT_FLAGS, bin, 'run', '--config', cfg], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LIFTWATCH_REEXEC: '0' } });
    let out = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); lastOut = out; });
    c.stderr.on('data', (d: Buffer) => { out += d.toString(); lastOut = out; });
    await waitFor(() => /"msg":"ready"/.test(out) || c.exitCode !== null, patient(20_000), 'the agent to be ready');
    if (c.exitCode !== null) throw new Error(`the agent exited ${c.exitCode}: ${out.slice(-2000)}`);
    return c;
  };
  const kill = async (c: ChildProcess) => {
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  };

  agent = await start();
  const integrity: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    // Spread over the simulator's first demo loop (trapped passenger from ~18 s, stopped between
    // floors from ~40 s, end of alarm at 60 s), so kills land while incidents are open.
    await sleep(prng.int(4_000, 16_000) / (KILLS > 6 ? 3 : 1));
    await kill(agent);
    const db = new Database(dbFile, { readonly: true });
    integrity.push(String(db.pragma('integrity_check', { simple: true })));
    db.close();
    agent = await start();
  }
  t.same(integrity.filter((r) => r !== 'ok'), [], `the integrity check passed after each of the ${KILLS} kills`);

  // Drain: no more requests, every committed event delivered, then a clean stop.
  clearInterval(requester);
  t.comment(`after the kills: ${rows(dbFile).filter((r) => r.delivered_at === null).length} of ${rows(dbFile).length} events pending`);
  await waitFor(() => rows(dbFile).every((r) => r.delivered_at !== null), patient(20_000), 'every stored event delivered').catch((err: Error) => {
    throw new Error(`${err.message}: pending seqs ${rows(dbFile).filter((r) => r.delivered_at === null).map((r) => r.seq).join(' ')}; the agent said:\n${lastOut.split('\n').filter((l) => !/"level":30/.test(l) || /uplink|dispatch|connect/.test(l)).slice(-40).join('\n')}`);
  });
  const stopped = new Promise<number | null>((r) => agent!.once('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  t.equal(await stopped, 0, 'a clean stop at the end');
  agent = null;

  const stored = rows(dbFile);
  await waitFor(() => stored.every((r) => got.has(r.event_id)), patient(10_000), 'the subscriber to have every stored event');
  t.ok(stored.length >= 20, `${stored.length} events stored across the kills`);
  t.same(stored.filter((r) => !got.has(r.event_id)).map((r) => r.seq), [], 'every committed event reached the subscriber');
  t.same([...got.keys()].filter((id) => !stored.some((r) => r.event_id === id)), [], 'the subscriber got nothing the store does not hold');
  t.same(stored.filter((r) => got.get(r.event_id)!.seq !== r.seq).map((r) => r.event_id), [], 'each event kept its seq');

  // Per alarm, the steps in seq order: raised first, an end last, nothing after the end.
  const byAlarm = new Map<string, Row[]>();
  for (const r of stored) byAlarm.set(r.alarm_id, [...(byAlarm.get(r.alarm_id) ?? []), r]);
  const badOrder = [...byAlarm.values()].filter((steps) => {
    const ends = steps.findIndex((s) => s.lifecycle === 'cleared' || s.lifecycle === 'end_of_alarm');
    return steps[0]!.lifecycle !== 'raised' || (ends !== -1 && steps.slice(ends + 1).some((s) => s.lifecycle !== 'end_of_alarm'));
  });
  t.same(badOrder.map((s) => s.map((x) => `${x.seq}:${x.lifecycle}`).join(' ')), [], 'per alarm, the steps follow their lifecycle in seq order');

  // No incident twice: per lift and code, an alarm is raised only after the previous one ended.
  const overlaps: string[] = [];
  const open = new Map<string, string>();
  for (const r of stored) {
    const key = `${r.lift_id}/${r.code}`;
    if (r.lifecycle === 'raised') {
      const other = open.get(key);
      if (other !== undefined && other !== r.alarm_id) overlaps.push(`${key}: ${other} still open when ${r.alarm_id} was raised (seq ${r.seq})`);
      open.set(key, r.alarm_id);
    }
    if ((r.lifecycle === 'cleared' || r.lifecycle === 'end_of_alarm') && open.get(key) === r.alarm_id) open.delete(key);
  }
  t.same(overlaps, [], 'no incident raised twice under two alarmIds');
  t.comment(`${Math.round((Date.now() - t0) / 1000)} s; ${stored.length} events stored, ${deliveries} deliveries (${deliveries - got.size} redelivered), codes: ${[...new Set(stored.map((r) => r.code))].join(' ')}`);
});

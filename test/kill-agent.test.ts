/**
 * The agent SIGKILLed repeatedly during a flood of events (other gateways lost buffered data
 * around restarts, and Kura's H2 store was corrupted by power loss, kura #2169). A child process
 * (test/fixtures/kill-writer.ts: the real outbox, dispatcher and MQTT uplink) commits events
 * continuously and publishes them to an in-test aedes broker; it is killed with SIGKILL at
 * random moments and restarted. After every kill the database's integrity check passes; at
 * the end every event committed to the file has reached the subscriber, and the session
 * counter and seq have survived every restart.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { captureLogger, freePort, sleep, subscriber, tempDir, testGateway, waitFor } from './uplink-helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/kill-writer.js', import.meta.url));
const KILLS = 6;

/** Starts the writer and resolves once its outbox is open (it printed its session). */
function startWriter(port: number, file: string): Promise<{ child: ChildProcess; session: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, String(port), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /session (\d+)\n/.exec(out);
      if (m) resolve({ child, session: Number(m[1]) });
    });
    child.once('exit', (code, signal) => reject(new Error(`writer exited early (${code ?? signal}): ${err}`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function inspect(file: string): { integrity: string; rows: Array<{ seq: number; event_id: string; lift_id: string }>; session: number } {
  const db = new Database(file); // read-write: opening recovers the WAL, as the restarted agent would
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      rows: db.prepare('SELECT seq, event_id, lift_id FROM events ORDER BY seq').all() as Array<{ seq: number; event_id: string; lift_id: string }>,
      session: Number(db.prepare(`SELECT value FROM meta WHERE key = 'session'`).pluck().get()),
    };
  } finally {
    db.close();
  }
}

void t.test(`SIGKILL ${KILLS} times during a flood: integrity ok after each, every committed event delivered`, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'agent.db');
  const port = await freePort();
  const broker = new EmbeddedBroker({ port, logger: captureLogger() });
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await subscriber(port, 'liftwatch/+/+/lift/+/event');
  t.teardown(() => sub.close());

  let children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const c of children) await killHard(c);
  });
  let committed = new Set<string>();
  const sessions: number[] = [];
  const delays: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const { child, session } = await startWriter(port, file);
    children.push(child);
    sessions.push(session);
    // Random moments, from right after the first commit to well into the flood.
    const delay = Math.round(20 + Math.random() * 600);
    delays.push(delay);
    await sleep(delay);
    await killHard(child);
    children = children.filter((c) => c !== child);
    const seen = inspect(file);
    t.equal(seen.integrity, 'ok', `kill ${k + 1} after ${delay} ms: integrity_check ok`);
    const ids = new Set(seen.rows.map((r) => r.event_id));
    t.ok([...committed].every((id) => ids.has(id)), `kill ${k + 1}: every event committed before is still there (${seen.rows.length} rows)`);
    committed = ids;
  }
  t.ok(sub.got.length > 0, `the killed writers delivered ${sub.got.length} events while they lived`);
  t.comment(`killed after ${delays.join(', ')} ms; ${committed.size} events committed`);
  t.same(sessions, sessions.map((_, i) => (sessions[0] ?? 0) + i), 'the session counter survived every SIGKILL');

  // Restart once more and let it drain: every committed event must reach the subscriber.
  const gw = testGateway({ port, file, logger: captureLogger(), uplink: { inflight: 50 } });
  t.teardown(() => gw.stop());
  t.equal(gw.session, (sessions.at(-1) ?? 0) + 1, 'session continues after the last kill');
  gw.start();
  await waitFor(() => gw.outbox.stats().pending === 0, 30_000, 'outbox drained after the last restart');
  await gw.stop();
  const final = inspect(file);
  t.equal(final.integrity, 'ok');
  const missing = () => {
    const got = new Set(sub.got.map((m) => m.json['eventId']));
    return final.rows.filter((r) => !got.has(r.event_id));
  };
  await waitFor(() => missing().length === 0, 10_000, 'subscriber has every committed event').catch(() => undefined);
  t.equal(missing().length, 0, `every one of ${final.rows.length} committed events reached the subscriber`);
  t.ok(final.rows.length > KILLS, 'events were committed in the flood');
  t.ok(final.rows.every((r, i) => i === 0 || r.seq > (final.rows[i - 1]?.seq ?? 0)), 'seq strictly increasing across restarts');
  const payloadSeqOk = sub.got.every((m) => final.rows.some((r) => r.event_id === m.json['eventId'] && r.seq === m.json['seq']));
  t.ok(payloadSeqOk, 'every delivered eventId carries the seq it was committed with (redeliveries too)');
  t.comment(`${sub.got.length} deliveries for ${final.rows.length} events (duplicates: at-least-once)`);
});

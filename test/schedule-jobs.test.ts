/**
 * Every scheduled job, on a one-second schedule against the real agent (simulator,
 * broker, SQLite), has its effect; a switched-off job does not run; a self-test schedule that
 * leaves more than 3 days between test calls is rejected (EN 81-28).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../src/config/errors.js';
import type { Config, ScheduleConfig } from '../src/config/types.js';
import { Operations } from '../src/agent/operations.js';
import { checkSchedule, longestGapMs, scheduleProblems } from '../src/schedule/cron-check.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import { SystemClock } from '../src/platform/system-clock.js';
import { AT_REST, startHarness, subscribe, waitFor } from './helpers/e2e.js';

const quiet = new ConsoleLogger({ level: 'silent' });
const root = new URL('../../', import.meta.url).pathname;

const EVERY_SECOND = '* * * * * *';
function schedule(over: Partial<Record<keyof ScheduleConfig, { enabled?: boolean; cron?: string }>> = {}): ScheduleConfig {
  const job = (k: keyof ScheduleConfig) => ({ enabled: over[k]?.enabled ?? true, cron: over[k]?.cron ?? EVERY_SECOND });
  return { health: job('health'), selfTest: job('selfTest'), usage: job('usage'), maintenance: job('maintenance'), integrity: job('integrity') };
}

void t.test('each job on a short schedule has its effect', async (t) => {
  const h = await startHarness({ lifts: [{ id: 'A', unitId: 1 }, { id: 'B', unitId: 2 }] });
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  const config: Config = { ...h.config, schedule: schedule({ integrity: { cron: '*/2 * * * * *' } }) };
  let maintained = 0;
  const outbox = h.composed.outbox;
  const maintain = outbox.maintain.bind(outbox);
  outbox.maintain = () => {
    maintained++;
    return maintain();
  };
  const ops = new Operations({ config, composed: h.composed, clock: new SystemClock(), logger: quiet });
  t.teardown(async () => {
    await ops.stop();
    await sub.close();
    await h.stop();
  });
  for (const u of [1, 2]) h.sim.lift(u).hold({ ...AT_REST });
  ops.start();
  await waitFor(() => sub.messages.find((m) => m.topic === `${h.root}/lift/A/state` && m.payload['link'] === 'ok'), 5000, 'lift A polled');
  await new Promise((r) => setTimeout(r, 300)); // samples at rest before the first trip

  // usage: trips and door cycles on lift A, counted from the polled samples.
  const a = h.sim.lift(1);
  for (let i = 0; i < 2; i++) {
    a.release();
    a.hold({ ...AT_REST, moving: true, doorZone: false, doorClosedLimit: true });
    await new Promise((r) => setTimeout(r, 400));
    a.release();
    a.hold({ ...AT_REST, doorOpenLimit: true, doorClosedLimit: false });
    await new Promise((r) => setTimeout(r, 400));
    a.release();
    a.hold({ ...AT_REST });
    await new Promise((r) => setTimeout(r, 300));
  }

  await waitFor(() => sub.messages.find((m) => m.topic === `${h.root}/health`), 5000, 'health published by the job');
  await waitFor(
    () => ['A', 'B'].every((id) => sub.messages.some((m) => m.topic === `${h.root}/lift/${id}/event` && m.payload['code'] === 'TEST_CALL')),
    5000,
    'a TEST_CALL per lift from the self-test',
  );
  t.ok(ops.lastSelfTest.length >= 4, 'self-test ran the health checks');
  const usage = await waitFor(
    () => sub.messages.filter((m) => m.topic === `${h.root}/lift/A/usage`).find((m) => Number(m.payload['trips']) >= 2 && Number(m.payload['doorCycles']) >= 2),
    8000,
    `usage of lift A published with its trips (${JSON.stringify(sub.messages.filter((m) => m.topic.endsWith('/usage')).slice(-2).map((m) => m.payload))})`,
  );
  const late = await subscribe(h.brokerPort, `${h.root}/lift/A/usage`);
  const kept = await waitFor(() => late.messages.find((m) => m.retain), 5000, 'retained usage for a late subscriber');
  await late.close();
  t.equal(kept.payload['schema'], 'liftwatch.usage/1', 'usage is retained');
  t.ok(Number(usage.payload['doorCycles']) >= 2, 'door cycles counted');
  t.ok(Number(usage.payload['runningMs']) > 0, 'running time counted');
  t.equal(usage.payload['schema'], 'liftwatch.usage/1');
  await waitFor(() => maintained > 0, 5000, 'outbox maintenance');
  await waitFor(() => ops.lastIntegrity, 5000, 'integrity check');
  t.same(ops.lastIntegrity?.problems, [], 'quick_check ok');
  const stats = Object.fromEntries(ops.jobStats().map((s) => [s.name, s]));
  for (const name of ['health', 'selfTest', 'usage', 'maintenance', 'integrity']) t.ok(stats[name]!.runs >= 1, `${name} ran`);

  await ops.stop();
  const db = new Database(h.config.storage.path, { readonly: true });
  const rows = db.prepare("SELECT lift_id, trips, door_cycles FROM usage_daily WHERE lift_id = 'A'").all() as Array<{ trips: number; door_cycles: number }>;
  db.close();
  t.ok(rows.length === 1 && rows[0]!.trips >= 2 && rows[0]!.door_cycles >= 2, 'usage stored in SQLite, one row per lift per day');
});

void t.test('a switched-off job does not run', async (t) => {
  const h = await startHarness();
  const config: Config = {
    ...h.config,
    schedule: schedule({ selfTest: { enabled: false }, usage: { enabled: false }, maintenance: { enabled: false }, integrity: { enabled: false } }),
  };
  const ops = new Operations({ config, composed: h.composed, clock: new SystemClock(), logger: quiet });
  t.teardown(async () => {
    await ops.stop();
    await h.stop();
  });
  ops.start();
  await waitFor(() => ops.jobStats().find((s) => s.name === 'health' && s.runs >= 2), 5000, 'health ran twice');
  t.same(ops.jobStats().map((s) => s.name), ['health'], 'only the enabled job is scheduled');
  t.equal(ops.lastIntegrity, null);
});

void t.test('EN 81-28: test calls at least every 3 days', async (t) => {
  t.equal(longestGapMs('0 3 * * *'), 86_400_000, 'daily');
  t.equal(longestGapMs('0 3 */3 * *'), 3 * 86_400_000, 'every third day of the month: at most 3 days');
  t.equal(longestGapMs('0 3 * * 1'), 7 * 86_400_000, 'weekly');
  t.equal(longestGapMs('0 0 1 * *'), 31 * 86_400_000, 'monthly');
  t.equal(longestGapMs('0 12 * * 1,4'), 4 * 86_400_000, 'Monday and Thursday: 4 days from Thursday');
  t.equal(longestGapMs('0 0 29 2 *'), Infinity, 'once in four years');
  t.equal(longestGapMs('0 0,12 * * *'), 12 * 3_600_000);
  const ok = scheduleProblems(schedule({ selfTest: { cron: '0 3 */2 * *' } }), 'x.yaml');
  t.same(ok, []);
  const bad = scheduleProblems(schedule({ selfTest: { cron: '0 3 * * 1' } }), 'x.yaml');
  t.equal(bad.length, 1);
  t.equal(bad[0]!.path, 'schedule.selfTest.cron');
  t.match(bad[0]!.message, /at least every 3 days \(EN 81-28\).*7\.0 days/);
  t.same(scheduleProblems(schedule({ selfTest: { cron: '0 3 * * 1', enabled: false } }), 'x.yaml'), [], 'a switched-off self-test is not checked');
  const garbled = scheduleProblems(schedule({ usage: { cron: '61 * * * *' } }), 'x.yaml');
  t.equal(garbled[0]?.path, 'schedule.usage.cron', 'a malformed cron names its path');
  t.throws(() => checkSchedule({ file: 'x.yaml', schedule: schedule({ selfTest: { cron: '0 0 1 * *' } }) } as Config), ConfigError);
});

void t.test('liftwatch run refuses a config whose test calls are more than 3 days apart (exit 3)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-sched-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const demo = fs.readFileSync(path.join(root, 'config/demo.yaml'), 'utf8');
  const file = path.join(dir, 'weekly.yaml');
  const db = path.join(dir, 'should-not-exist.db');
  fs.writeFileSync(file, demo.replace(/storage:[^\n]*\n(\s+path:[^\n]*\n)?/, '') + `\nstorage: { path: ${JSON.stringify(db)} }\nschedule:\n  selfTest: { cron: "0 3 * * 1" }\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'run', '--config', file], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 3, `exit 3 (stderr: ${r.stderr})`);
  t.match(r.stderr, 'schedule.selfTest.cron');
  t.match(r.stderr, 'EN 81-28');
  t.notOk(fs.existsSync(db), 'nothing started');
});

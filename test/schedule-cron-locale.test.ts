/**
 * Footprint: checking the schedule and running node-schedule jobs never builds an
 * Intl.DateTimeFormat (the first one maps ~6 MB of ICU data into the process for good), and
 * cron results are what they were (the fixed locale changes no numeric field).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';

const here = new URL('.', import.meta.url);
const modules = {
  check: new URL('../src/schedule/cron-check.js', here).href,
  scheduler: new URL('../src/schedule/scheduler.js', here).href,
};

void t.test('no Intl.DateTimeFormat for cron work', async (t) => {
  // A fresh process: count Intl.DateTimeFormat constructions made by cron-parser/node-schedule.
  const script = `
    let built = 0;
    const DTF = Intl.DateTimeFormat;
    globalThis.Intl.DateTimeFormat = function (...a) { built++; return new DTF(...a); };
    const { parseCron, longestGapMs } = await import(${JSON.stringify(modules.check)});
    const { Scheduler } = await import(${JSON.stringify(modules.scheduler)});
    const it = parseCron('0 3 * * 1', new Date(Date.UTC(2026, 0, 1)));
    const next = it.next().toISOString();
    const gap = longestGapMs('0 3 */2 * *');
    const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
    const clock = { now: () => ({ wall: Date.now(), mono: performance.now() }), setTimeout: (f, ms) => ({ id: setTimeout(f, ms) }), clearTimeout: (h) => clearTimeout(h.id) };
    const sched = new Scheduler(quiet, clock);
    let runs = 0;
    sched.add('tick', '* * * * * *', () => { runs++; });
    sched.start();
    await new Promise((r) => setTimeout(r, 1300));
    await sched.stop();
    process.stdout.write(JSON.stringify({ built, next, gap, runs }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { built: number; next: string; gap: number; runs: number };
  t.ok(out.runs >= 1, `a node-schedule job ran (${out.runs})`);
  t.equal(out.built, 0, 'no Intl.DateTimeFormat built');
  t.equal(out.next, '2026-01-05T03:00:00.000Z', 'the next Monday 03:00 UTC after 2026-01-01');
  t.ok(out.gap > 24 * 3600_000 && out.gap <= 3 * 24 * 3600_000, `every other day: gap ${out.gap} ms`);
});

void t.test('one copy of cron-parser and of luxon: the locale set is the one node-schedule parses with', async (t) => {
  const { createRequire } = await import('node:module');
  const here = createRequire(import.meta.url);
  const cronFromHere = here.resolve('cron-parser');
  const cronFromSchedule = createRequire(here.resolve('node-schedule')).resolve('cron-parser');
  t.equal(cronFromSchedule, cronFromHere, 'node-schedule uses the cron-parser the schedule check uses');
  t.equal(createRequire(cronFromHere).resolve('luxon'), here.resolve('luxon'), 'cron-parser uses the luxon liftwatch configures');
});

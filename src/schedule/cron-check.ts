/**
 * Checks the `schedule` section beyond what JSON Schema can say: every cron expression parses,
 * and the self-test/test call can never be more than 3 days apart (EN 81-28: a test call at
 * least every 3 days). node-schedule parses cron with cron-parser, which this uses
 * to walk the occurrences.
 */
import { cronParser } from './cron-locale.js'; // loaded on first use, locale fixed first (no ICU locale lookup)
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { displayPath, lineOfKey } from '../config/load.js';
import type { Config, ScheduleConfig } from '../config/types.js';

export const EN81_28_MAX_TEST_GAP_MS = 3 * 24 * 3600_000;
export const JOB_NAMES = ['health', 'selfTest', 'usage', 'maintenance', 'integrity'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Throws on a malformed expression (cron-parser's message). */
export function parseCron(expr: string, from: Date): { next(): Date; prev(): Date } {
  const it = cronParser().parseExpression(expr, { currentDate: from, tz: 'UTC' });
  return { next: () => it.next().toDate(), prev: () => it.prev().toDate() };
}

/**
 * The longest time between two consecutive runs of `expr` over `windowDays` from `from`, or
 * Infinity when it runs fewer than twice. Computed from the parsed fields rather than by
 * walking cron-parser's iterator (milliseconds per step on a Pi): the times of day are the
 * same on every matching day, so the longest gap is (days between two consecutive matching
 * days) minus (last run of a day - first run of a day), or the longest gap inside a day.
 * Days follow cron's rule: with both day-of-month and day-of-week restricted, either matches.
 */
export function longestGapMs(expr: string, from = new Date(Date.UTC(2026, 0, 1)), windowDays = 800): number {
  const f = cronParser().parseExpression(expr).fields;
  const secondsOfDay: number[] = [];
  for (const h of f.hour) for (const m of f.minute) for (const sec of f.second) secondsOfDay.push(h * 3600 + m * 60 + sec);
  secondsOfDay.sort((x, y) => x - y);
  const first = secondsOfDay[0];
  const last = secondsOfDay[secondsOfDay.length - 1];
  if (first === undefined || last === undefined) return Infinity;
  let inDay = 0;
  for (let i = 1; i < secondsOfDay.length; i++) inDay = Math.max(inDay, secondsOfDay[i]! - secondsOfDay[i - 1]!);
  const doms = f.dayOfMonth as ReadonlyArray<number | 'L'>;
  const dows = (f.dayOfWeek as ReadonlyArray<number | 'L'>).map((d) => (d === 7 ? 0 : d));
  const domAll = doms.length >= 31;
  const dowAll = new Set(dows).size >= 7;
  const months = new Set(f.month as readonly number[]);
  const dayMatches = (d: Date): boolean => {
    if (!months.has(d.getUTCMonth() + 1)) return false;
    const lastDom = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    const domHit = doms.includes(d.getUTCDate()) || (doms.includes('L') && d.getUTCDate() === lastDom);
    const dowHit = dows.includes(d.getUTCDay());
    if (domAll && dowAll) return true;
    if (domAll) return dowHit;
    if (dowAll) return domHit;
    return domHit || dowHit;
  };
  let prevDay: number | null = null;
  let longestDays = 0;
  let matched = 0;
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let i = 0; i < windowDays; i++) {
    if (!dayMatches(new Date(start + i * 86_400_000))) continue;
    matched++;
    if (prevDay !== null) longestDays = Math.max(longestDays, i - prevDay);
    prevDay = i;
  }
  if (matched === 0 || (matched === 1 && secondsOfDay.length === 1)) return Infinity;
  const acrossDays = longestDays === 0 ? 0 : longestDays * 86_400_000 - (last - first) * 1000;
  return Math.max(acrossDays, inDay * 1000, matched === 1 ? Infinity : 0);
}

export function scheduleProblems(schedule: ScheduleConfig | undefined, file: string): ConfigProblem[] {
  if (!schedule) return [];
  const out: ConfigProblem[] = [];
  for (const name of JOB_NAMES) {
    const job = schedule[name];
    try {
      parseCron(job.cron, new Date());
    } catch (err) {
      out.push({ file, path: `schedule.${name}.cron`, message: `expected a cron expression, got "${job.cron}" (${(err as Error).message})` });
      continue;
    }
    if (name === 'selfTest' && job.enabled) {
      const gap = longestGapMs(job.cron);
      if (gap > EN81_28_MAX_TEST_GAP_MS) {
        const days = gap === Infinity ? 'never repeats' : `${(gap / 86_400_000).toFixed(1)} days apart`;
        out.push({
          file,
          path: 'schedule.selfTest.cron',
          message: `expected test calls at least every 3 days (EN 81-28), got "${job.cron}", which runs up to ${days}`,
        });
      }
    }
  }
  return out;
}

/** Throws ConfigError (CONFIG_INVALID) when the schedule section is not acceptable. */
export function checkSchedule(config: Config): void {
  // With the line of the key, when the file sets it, like every other configuration problem.
  const problems = scheduleProblems(config.schedule, displayPath(config.file)).map((p) => {
    const line = lineOfKey(config, p.path.split('.'));
    return line === undefined ? p : { ...p, line };
  });
  if (problems.length) throw new ConfigError('CONFIG_INVALID', problems);
}

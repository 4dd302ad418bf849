/**
 * cron-parser (and node-schedule through it) builds every date with luxon, whose
 * `Locale.create()` asks ICU for the system locale (`new Intl.DateTimeFormat()
 * .resolvedOptions().locale`) unless `Settings.defaultLocale` is set (luxon.js, systemLocale).
 * The first Intl.DateTimeFormat of a Node process maps in ~6 MB of ICU locale and time-zone
 * data from the node binary, resident for good: +6.0 MB RSS for the config's schedule check
 * alone (measured with /proc/self/status RssFile around checkSchedule). cron-parser
 * only reads numeric fields (year, month, day, weekday, hour...), which do not depend on the
 * locale, so a fixed one changes no result and skips the lookup.
 *
 * luxon is a dependency of ours too, in the range cron-parser asks for, so npm installs one
 * copy and the Settings set here are the ones cron-parser reads (test/schedule-cron-locale.test.ts
 * checks that cron-parser, from here and from node-schedule, and luxon resolve to one copy each).
 *
 * The libraries are loaded on first use, through `cronParser()` and `nodeSchedule()`, which set
 * the locale first: a config with every job off never loads them (cron-parser, luxon and
 * node-schedule together are ~3 MB of RSS).
 */
import { createRequire } from 'node:module';

type CronParser = typeof import('cron-parser');
type NodeSchedule = typeof import('node-schedule');

const fromHere = createRequire(import.meta.url);

/** The locale luxon uses for every date cron-parser builds. */
export const CRON_LOCALE = 'en-US';

let luxon: { Settings: { defaultLocale: string } } | null = null;

function withLocale(): { Settings: { defaultLocale: string } } {
  if (!luxon) {
    luxon = fromHere('luxon') as { Settings: { defaultLocale: string } };
    luxon.Settings.defaultLocale = CRON_LOCALE;
  }
  return luxon;
}

/** cron-parser, with luxon's locale fixed before it builds a date. */
export function cronParser(): CronParser {
  withLocale();
  return fromHere('cron-parser') as CronParser;
}

/** node-schedule (which parses through cron-parser), with luxon's locale fixed first. */
export function nodeSchedule(): NodeSchedule {
  withLocale();
  return fromHere('node-schedule') as NodeSchedule;
}

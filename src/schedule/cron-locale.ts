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
 * luxon is cron-parser's dependency, not ours: it is resolved from cron-parser's location so
 * the instance configured is the one cron-parser uses.
 */
import { createRequire } from 'node:module';

const fromHere = createRequire(import.meta.url);
const fromCronParser = createRequire(fromHere.resolve('cron-parser'));
const luxon = fromCronParser('luxon') as { Settings: { defaultLocale: string } };

/** The locale luxon uses for every date cron-parser builds. */
export const CRON_LOCALE = 'en-US';
luxon.Settings.defaultLocale = CRON_LOCALE;

/** luxon's current default locale (for tests). */
export function cronLocale(): string {
  return luxon.Settings.defaultLocale;
}

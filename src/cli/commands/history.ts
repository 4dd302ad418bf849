/** `liftwatch history`: alarm events stored in the outbox, oldest first. */
import { MAX_HISTORY_LIMIT } from '../../diagnostics/args.js';
import { parseSince, type HistoryRow } from '../../diagnostics/views.js';
import { bySeverity } from '../format/colour.js';
import { table } from '../format/table.js';
import { localTime } from '../format/time.js';
import { CODE } from './exit-codes.js';
import { type DiagOptions, offlineNote, whyOffline, withSession } from './context.js';

export function history(o: DiagOptions & { lift?: string; since: string; limit: string }): Promise<number> {
  return withSession(o, async (s) => {
    const since = parseSince(o.since, Date.now());
    const limit = Number(o.limit);
    if (since === null || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      s.out.error(`--since expects e.g. 30m, 24h, 7d or an ISO date; --limit a whole number from 1 to ${MAX_HISTORY_LIMIT}`);
      return CODE.USAGE;
    }
    let rows: HistoryRow[];
    if (s.client) rows = await s.client.request<HistoryRow[]>('history', { since: o.since, limit, ...(o.lift ? { lift: o.lift } : {}) });
    else {
      const reader = await s.reader();
      if (!reader || s.why?.code === 'ACCESS_DENIED') throw whyOffline(s);
      try {
        rows = reader.history({ since, limit, ...(o.lift ? { liftId: o.lift } : {}) });
        offlineNote(s, reader.path);
      } finally {
        reader.close();
      }
    }
    if (s.out.json) s.out.printJson(rows);
    else if (!rows.length) s.out.print(`No alarm events since ${localTime(new Date(since).toISOString())}.`);
    else {
      const p = s.out.paint;
      s.out.print(
        table(
          ['seq', 'time', 'lift', 'event', 'severity', 'code', 'floor', 'sent', 'detail'],
          rows.map((r) => [r.seq, localTime(r.at), r.liftId, r.lifecycle, bySeverity(p, r.severity, r.severity), bySeverity(p, r.severity, r.code), r.floor, r.delivered ? 'yes' : p.yellow('pending'), r.detail]),
        ),
      );
    }
    return CODE.OK;
  });
}

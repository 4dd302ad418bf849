/** `liftwatch alarms`: the active alarms (from the agent, or from the store when it is stopped). */
import type { AlarmRow } from '../../diagnostics/views.js';
import { bySeverity, type Paint } from '../format/colour.js';
import { table } from '../format/table.js';
import { localTime } from '../format/time.js';
import { CODE } from './exit-codes.js';
import { type DiagOptions, offlineNote, whyOffline, withSession } from './context.js';

export function alarms(o: DiagOptions & { lift?: string }): Promise<number> {
  return withSession(o, async (s) => {
    let rows: AlarmRow[];
    if (s.client) rows = await s.client.request<AlarmRow[]>('alarms', o.lift ? { lift: o.lift } : {});
    else {
      const reader = await s.reader();
      if (!reader || s.why?.code === 'ACCESS_DENIED') throw whyOffline(s);
      try {
        rows = reader.activeAlarms().filter((a) => !o.lift || a.liftId === o.lift);
        offlineNote(s, reader.path);
      } finally {
        reader.close();
      }
    }
    rows.sort((a, b) => rank(a.severity) - rank(b.severity) || String(a.since).localeCompare(String(b.since)));
    if (s.out.json) s.out.printJson(rows);
    else s.out.print(rows.length ? alarmsTable(rows, s.out.paint) : 'No active alarms.');
    return CODE.OK;
  });
}

const rank = (sev: string): number => ['critical', 'major', 'minor', 'info'].indexOf(sev);

export function alarmsTable(rows: AlarmRow[], p: Paint): string {
  return table(
    ['lift', 'severity', 'code', 'since', 'floor', 'alarm id'],
    rows.map((a) => [a.liftId, bySeverity(p, a.severity, a.severity), bySeverity(p, a.severity, a.code), localTime(a.since), a.floor, a.alarmId]),
  );
}

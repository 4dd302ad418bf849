/** `liftwatch status`: the agent, the uplink, each bus, each lift, the outbox, at a glance. */
import type { BusStats } from '../../field/bus-poller.js';
import type { OutboxView } from '../../diagnostics/views.js';
import type { LiftCoverage } from '../../config/wired-signals.js';
import { coverageCell } from '../format/coverage.js';
import { outboxView } from '../../diagnostics/views.js';
import type { Paint } from '../format/colour.js';
import { keyValues, table } from '../format/table.js';
import { ago, human } from '../format/time.js';
import { CODE } from './exit-codes.js';
import { type DiagOptions, offlineNote, whyOffline, withSession } from './context.js';
import { alarmsTable } from './alarms.js';

export interface StatusView {
  agent: { version: string; pid: number; startedAt: string | null; uptimeSec: number; configFile: string; session: number; site: string; gateway: string };
  uplink: { broker: string; connected: boolean; connects: number; lastConnectAt: string | null; lastPubackAt: string | null; acked: number; inflight: number };
  buses: BusStats[];
  lifts: Array<{ id: string; label: string; link: string; mode: string; floor: string | null; moving: boolean | null; doors: string; activeAlarms: string[]; lastSampleAt: string | null; coverage?: LiftCoverage }>;
  outbox: OutboxView;
}

export function status(o: DiagOptions): Promise<number> {
  return withSession(o, async (s) => {
    if (s.client) {
      const v = await s.client.request<StatusView>('status');
      if (s.out.json) s.out.printJson({ running: true, ...v });
      else s.out.print(renderStatus(v, Date.now(), s.out.paint));
      return CODE.OK;
    }
    // Agent stopped: what the file says, and exit 4 so a script knows the agent is down.
    const reader = await s.reader();
    if (!reader || s.why?.code === 'ACCESS_DENIED') throw whyOffline(s);
    try {
      const outbox = outboxView(reader.outboxStats(), Date.now());
      const alarms = reader.activeAlarms();
      offlineNote(s, reader.path);
      if (s.out.json) s.out.printJson({ running: false, reason: s.why?.message, configFile: s.config?.file, outbox, alarms });
      else {
        s.out.print(s.out.paint.red('agent NOT RUNNING') + ` (${s.why?.message ?? ''})\n`);
        s.out.print(keyValues([['config', s.config?.file ?? '-'], ['database', reader.path]]));
        s.out.print(renderOutbox(outbox, Date.now()));
        s.out.print(alarms.length ? `\nActive alarms stored (as of the agent's last run):\n${alarmsTable(alarms, s.out.paint)}` : '\nNo active alarms stored.\n');
      }
    } finally {
      reader.close();
    }
    return CODE.NO_AGENT;
  });
}

export function renderStatus(v: StatusView, now: number, p: Paint): string {
  const up = v.uplink.connected ? p.green('connected') : p.red('NOT CONNECTED');
  const head = keyValues([
    ['liftwatch', `${v.agent.version}, pid ${v.agent.pid}, session ${v.agent.session}`],
    ['running since', `${ago(v.agent.startedAt, now).replace(' ago)', ')')}`],
    ['config', `${v.agent.configFile} (site ${v.agent.site}, gateway ${v.agent.gateway})`],
    ['uplink', `${up} ${v.uplink.broker}, ${v.uplink.connects} connect(s), last PUBACK ${ago(v.uplink.lastPubackAt, now)}`],
  ]);
  const buses = v.buses.map((b) => [
    b.busId,
    b.state === 'open' ? p.green('open') : p.red(b.state),
    b.lastRttMs === null ? null : `${b.lastRttMs} ms`,
    b.opens,
    b.openFailures,
    b.units.map((u) => `${u.liftId}@${u.unitId}: ${u.ok}/${u.polls} ok${errorSummary(u.errors)}`).join('; '),
  ]);
  const lifts = v.lifts.map((l) => [
    l.id,
    l.label,
    l.link === 'ok' ? p.green('ok') : p.red(l.link),
    l.mode === 'normal' ? l.mode : p.yellow(l.mode),
    l.floor,
    l.moving === null ? null : l.moving ? 'moving' : 'stopped',
    l.doors,
    l.activeAlarms.length ? p.red(l.activeAlarms.join(', ')) : p.dim('none'),
  ]);
  // Which codes each lift's wiring can detect (absent from an agent older than the field).
  const coverage = v.lifts.flatMap((l) => (l.coverage ? [[l.id, coverageCell(l.coverage, p)]] : []));
  return [
    head,
    table(['bus', 'state', 'rtt', 'opens', 'open fails', 'units (ok/polls, errors)'], buses),
    table(['lift', 'label', 'link', 'mode', 'floor', 'car', 'doors', 'active alarms'], lifts),
    ...(coverage.length ? [table(['lift', 'alarm coverage of the wiring'], coverage)] : []),
    renderOutbox(v.outbox, now),
  ].join('\n');
}

function errorSummary(errors: Record<string, number>): string {
  const e = Object.entries(errors).filter(([, n]) => n > 0);
  return e.length ? `, ${e.map(([k, n]) => `${n} ${k.toLowerCase()}`).join(', ')}` : '';
}

export function renderOutbox(o: OutboxView, now: number): string {
  const byPrio = Object.entries(o.pendingByPriority).map(([k, n]) => `${k} ${n}`).join(', ');
  return keyValues([
    ['outbox', `${o.pending} pending (${byPrio}), ${o.delivered} delivered`],
    ['oldest pending', o.oldestPendingAt === null ? 'none' : `${human(now - o.oldestPendingAt)} old`],
    ['evictions', `${o.evictions} event(s) evicted, ${o.dataGaps} data_gap(s)${o.lastEvictionAt ? `, last ${new Date(o.lastEvictionAt).toISOString()}` : ''}`],
    ['file', `${(o.fileBytes / 1024).toFixed(0)} KiB`],
  ]);
}


/**
 * Human-readable lines for alarms on a terminal (the demo and `liftwatch run` on a TTY):
 * one line per lifecycle event, colour only when the stream is a terminal.
 */
import type { AlarmEvent, Severity } from '../core/types.js';
import type { StoredEvent } from '../ports/outbox.js';
import type { LiftContext } from '../agent/lift-directory.js';

const COLOURS: Record<Severity, string> = { critical: '\x1b[1;31m', major: '\x1b[33m', minor: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';

export function formatEvent(stored: StoredEvent, ev: AlarmEvent, ctx: LiftContext | undefined, colour: boolean): string {
  const time = new Date(ev.at).toISOString().slice(11, 23);
  const lifecycle = ev.lifecycle.toUpperCase().replace(/_/g, ' ').padEnd(12);
  const sev = ev.severity.toUpperCase().padEnd(8);
  const where = ctx ? ctx.lift.label : ev.liftId;
  const floor = ev.floor !== null && ctx ? ` at landing ${ctx.lift.landings[ev.floor] ?? ev.floor}` : '';
  const why = explain(ev);
  const line = `${time}  ${lifecycle} ${sev} ${ev.code.padEnd(24)} ${where}${floor}${why ? ' - ' + why : ''}  [seq ${stored.seq}]`;
  return colour ? `${COLOURS[ev.severity]}${line}${RESET}` : line;
}

function explain(ev: AlarmEvent): string {
  if (ev.lifecycle === 'end_of_alarm') return `ended by ${ev.endOfAlarmSource ?? 'unknown'}`;
  if (ev.lifecycle === 'cleared' && ev.confirmedAt !== null && ev.clearedAt !== null) {
    return `lasted ${fmtDuration(ev.clearedAt - ev.occurredAt)}`;
  }
  if (ev.lifecycle === 'raised' && ev.evidence) {
    return `${ev.evidence.rule} (held ${fmtDuration(ev.evidence.heldMs)})${ev.controllerCode !== null ? `, controller code ${ev.controllerCode}` : ''}`;
  }
  return ev.detail ?? '';
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

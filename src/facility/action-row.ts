/** An action as both stores read it back (the columns of their `actions` table), and as the port gives it. */
import type { ActionRecord } from './ports.js';

export interface ActionRow {
  id: number; key: string; grp: string | null; kind: string; alarm_id: string; site_id: string; lift_id: string;
  lift_label: string; recipient: string; created_at: number; due_at: number; attempts: number; next_at: number;
  sent_at: number | null; state: string; last_error: string | null; reason: string | null;
}

export function toRecord(r: ActionRow): ActionRecord {
  return {
    id: r.id, key: r.key, group: r.grp, kind: r.kind as ActionRecord['kind'], alarmId: r.alarm_id, siteId: r.site_id,
    liftId: r.lift_id, liftLabel: r.lift_label, to: JSON.parse(r.recipient) as ActionRecord['to'], createdAt: r.created_at,
    dueAt: r.due_at, attempts: r.attempts, nextAt: r.next_at, sentAt: r.sent_at, state: r.state as ActionRecord['state'],
    lastError: r.last_error, reason: r.reason,
  };
}

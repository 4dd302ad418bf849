/**
 * What the diagnostics requests return: plain JSON, the same whether the answer comes from the
 * running agent or (agent stopped) from the SQLite file read-only. `--json` prints these as is.
 */
import type { OutboxStats } from '../ports/outbox.js';

export interface AlarmRow {
  alarmId: string;
  liftId: string;
  code: string;
  severity: string;
  /** ISO time the alarm was raised (its condition first seen). */
  since: string | null;
  /** Landing label where it happened, or null. */
  floor: string | null;
  /** The last lifecycle step stored (raised, updated, acknowledged). */
  lifecycle: string;
}

export interface HistoryRow {
  seq: number;
  at: string | null;
  liftId: string;
  code: string;
  severity: string;
  lifecycle: string;
  floor: string | null;
  delivered: boolean;
  detail: string | null;
}

export interface OutboxView extends OutboxStats {
  /** Age of the oldest undelivered event in seconds, null when none is pending. */
  oldestPendingAgeSec: number | null;
}

export function outboxView(stats: OutboxStats, now: number): OutboxView {
  return { ...stats, oldestPendingAgeSec: stats.oldestPendingAt === null ? null : Math.max(0, Math.round((now - stats.oldestPendingAt) / 1000)) };
}

/** Parses `24h`, `30m`, `7d`, `90s` or an ISO date into epoch ms (relative to now). */
export function parseSince(text: string, now: number): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (m) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/** A stored event payload (src/uplink/payload.ts) as one history row. */
export function historyRow(seq: number, payload: Record<string, unknown>, deliveredAt: number | null): HistoryRow {
  const lift = payload['lift'] as { id?: string } | undefined;
  return {
    seq,
    at: typeof payload['at'] === 'string' ? payload['at'] : null,
    liftId: lift?.id ?? '',
    code: String(payload['code'] ?? payload['type'] ?? ''),
    severity: String(payload['severity'] ?? ''),
    lifecycle: String(payload['lifecycle'] ?? ''),
    floor: typeof payload['floor'] === 'string' ? payload['floor'] : null,
    delivered: deliveredAt !== null,
    detail: typeof payload['detail'] === 'string' ? payload['detail'] : payload['endOfAlarmSource'] ? `ended by ${String(payload['endOfAlarmSource'])}` : null,
  };
}

/**
 * When self-service reaches its limits (pure): the operator on duty is called with the case's
 * context when a gateway's will arrives for its current session, on any data_gap, when a
 * gateway's health stops, and when a lift's EN 81-28 test call is overdue (docs/mqtt-api.md,
 * "Detect a dead gateway"). An unacknowledged critical alarm is planned with the case (actions.ts).
 */
import { recipientOf, type ActionIntent } from './actions.js';
import type { DataGapMessage, StatusMessage } from './contract.js';
import type { Directory } from './directory-types.js';
import type { GatewayRecord } from './ports.js';

export interface SilenceRules {
  /** Health older than this means the chain is broken somewhere (default 5 min: 5 intervals). */
  healthStaleMs: number;
  /** EN 81-28 asks a test call at least every 3 days; plus a margin for a late one. */
  testCallMaxMs: number;
}

export const DEFAULT_SILENCE: SilenceRules = {
  healthStaleMs: 5 * 60_000,
  testCallMaxMs: 3 * 86_400_000 + 6 * 3_600_000,
};

function operatorCall(dir: Directory, siteId: string, key: string, reason: string, lift: { id: string; label: string } | null): ActionIntent[] {
  const site = dir.sites.find((s) => s.id === siteId);
  if (site === undefined) return [];
  const to = recipientOf('operator', site.operator);
  if (to === null) return [];
  return [{ key, group: null, kind: 'operator', to, alarmId: '', siteId, liftId: lift?.id ?? '', liftLabel: lift?.label ?? 'gateway', delayMs: 0, reason }];
}

/** An `offline` for the gateway's current session (its will, or a stop): its lifts are unwatched. */
export function onWill(dir: Directory, s: StatusMessage): ActionIntent[] {
  return operatorCall(dir, s.site.id, `operator/offline/${s.site.id}/${s.gatewayId}/${s.session}`, `gateway ${s.gatewayId} is offline: its lifts are not watched`, null);
}

export function onDataGap(dir: Directory, g: DataGapMessage): ActionIntent[] {
  const site = (g['site'] as { id: string }).id;
  const gw = String(g['gatewayId']);
  return operatorCall(dir, site, `operator/data_gap/${site}/${gw}/${String(g['eventId'])}`, `gateway ${gw} lost ${String(g['count'])} events for lack of storage`, null);
}

export interface SilenceView {
  now: number;
  /** No hand-over for a silence that began before the service first ran. */
  since: number;
  gateways: GatewayRecord[];
  lastTestCall(siteId: string, liftId: string): number | null;
}

export function onSilence(dir: Directory, rules: SilenceRules, v: SilenceView): ActionIntent[] {
  const out: ActionIntent[] = [];
  for (const g of v.gateways) {
    const last = g.healthAt ?? g.statusAt;
    if (v.now - last > rules.healthStaleMs) {
      out.push(...operatorCall(dir, g.siteId, `operator/health/${g.siteId}/${g.gatewayId}/${last}`, `no health from gateway ${g.gatewayId} for ${Math.round((v.now - last) / 60_000)} min`, null));
    }
  }
  for (const site of dir.sites) {
    for (const lift of site.lifts) {
      const last = Math.max(v.lastTestCall(site.id, lift.id) ?? 0, v.since);
      if (v.now - last > rules.testCallMaxMs) {
        out.push(...operatorCall(dir, site.id, `operator/test_call/${site.id}/${lift.id}/${last}`, `no EN 81-28 test call from ${lift.label ?? lift.id} since ${new Date(last).toISOString()}`, { id: lift.id, label: lift.label ?? lift.id }));
      }
    }
  }
  return out;
}

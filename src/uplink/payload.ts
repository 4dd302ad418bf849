/**
 * Payload builders for MQTT contract v1 (docs/mqtt-api.md). Pure: every time comes in
 * as an argument. Times leave the box as ISO 8601 UTC with milliseconds.
 */
import type { AlarmEvent, LiftSnapshot } from '../core/types.js';

export const EVENT_SCHEMA = 'liftwatch.event/1';
export const STATE_SCHEMA = 'liftwatch.state/1';
export const STATUS_SCHEMA = 'liftwatch.status/1';

export interface SiteRef {
  id: string;
  name: string;
}

export interface LiftRef {
  id: string;
  label: string;
  /** Landing labels, bottom to top; a floor index points into it. */
  landings: string[];
}

export interface PayloadContext {
  site: SiteRef;
  gatewayId: string;
  lift: LiftRef;
}

/**
 * The bytes of `JSON.stringify({ ...JSON.parse(json), historical })` for an event payload as the
 * store serialized it (JSON.stringify: an object, no whitespace, no `historical` key), without
 * the parse: the flag is appended before the closing brace. Anything else takes the slow path.
 */
export function withHistoricalJson(json: string, historical: boolean): string {
  const n = json.length;
  const flag = historical ? 'true' : 'false';
  if (json === '{}') return `{"historical":${flag}}`;
  const plain = n > 2 && json.charCodeAt(0) === 0x7b && json.charCodeAt(n - 1) === 0x7d && json.charCodeAt(n - 2) > 0x20;
  if (!plain || json.includes('"historical"')) {
    return JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), historical });
  }
  return `${json.slice(0, n - 1)},"historical":${flag}}`;
}

export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

function landingLabel(landings: string[], floor: number | null): string | null {
  return floor === null ? null : (landings[floor] ?? null);
}

/**
 * One alarm lifecycle event. The store adds `eventId` and `seq`; the dispatcher adds
 * `historical` at delivery time.
 */
export function eventPayload(event: AlarmEvent, ctx: PayloadContext): Record<string, unknown> {
  const p: Record<string, unknown> = {
    schema: EVENT_SCHEMA,
    alarmId: event.alarmId,
    lifecycle: event.lifecycle,
    code: event.code,
    severity: event.severity,
    site: { id: ctx.site.id, name: ctx.site.name },
    gatewayId: ctx.gatewayId,
    lift: { id: ctx.lift.id, label: ctx.lift.label },
    landings: [...ctx.lift.landings],
    floor: landingLabel(ctx.lift.landings, event.floor),
    floorIndex: event.floor,
    occurredAt: isoOrNull(event.occurredAt),
    confirmedAt: isoOrNull(event.confirmedAt),
    clearedAt: isoOrNull(event.clearedAt),
    at: isoOrNull(event.at),
    controllerCode: event.controllerCode,
    evidence: event.evidence,
  };
  if (event.endOfAlarmSource !== undefined) p['endOfAlarmSource'] = event.endOfAlarmSource;
  if (event.detail !== undefined) p['detail'] = event.detail;
  // False while the wall clock is not synchronized (a box without RTC boots with a wrong clock);
  // receivers order by seq then.
  if (event.clockSynced !== undefined) p['clockSynced'] = event.clockSynced;
  return p;
}

/** A lift's current state, published retained. `at` is when this payload was built. */
export function statePayload(snapshot: LiftSnapshot, ctx: PayloadContext, at: number): Record<string, unknown> {
  return {
    schema: STATE_SCHEMA,
    site: { id: ctx.site.id, name: ctx.site.name },
    gatewayId: ctx.gatewayId,
    liftId: snapshot.liftId,
    lift: { id: ctx.lift.id, label: ctx.lift.label },
    landings: [...ctx.lift.landings],
    link: snapshot.link,
    mode: snapshot.mode,
    moving: snapshot.moving,
    direction: snapshot.direction,
    floor: landingLabel(ctx.lift.landings, snapshot.floor),
    floorIndex: snapshot.floor,
    inDoorZone: snapshot.inDoorZone,
    doors: snapshot.doors,
    activeAlarms: snapshot.activeAlarms.map((a) => ({
      alarmId: a.alarmId,
      code: a.code,
      severity: a.severity,
      since: isoOrNull(a.since),
    })),
    lastSampleAt: isoOrNull(snapshot.lastSampleAt),
    at: isoOrNull(at),
  };
}

/** The gateway's retained birth (`online`) and last will (`offline`), Sparkplug bdSeq-style. */
export function statusPayload(s: {
  state: 'online' | 'offline';
  session: number;
  gatewayId: string;
  site: SiteRef;
  version: string;
  at: number;
}): Record<string, unknown> {
  return {
    schema: STATUS_SCHEMA,
    state: s.state,
    session: s.session,
    gatewayId: s.gatewayId,
    site: { id: s.site.id, name: s.site.name },
    version: s.version,
    at: isoOrNull(s.at),
  };
}

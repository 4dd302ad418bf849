/**
 * The gateway's published contract as the facility side reads it: the payloads of
 * docs/mqtt-api.md, typed after the JSON Schemas in docs/schemas. The facility side depends on
 * this and nothing else of the gateway, so it can run against any gateway speaking version 1.
 * Receivers ignore fields they do not know (the contract allows fields to be added).
 */

export type Lifecycle = 'raised' | 'updated' | 'acknowledged' | 'cleared' | 'end_of_alarm';
export type Severity = 'critical' | 'major' | 'minor' | 'info';

export interface SiteRef {
  id: string;
  name: string;
}

/** `liftwatch.event/1`: one alarm lifecycle step. */
export interface EventMessage {
  schema: 'liftwatch.event/1';
  eventId: string;
  seq: number;
  alarmId: string;
  lifecycle: Lifecycle;
  code: string;
  severity: Severity;
  site: SiteRef;
  gatewayId: string;
  lift: { id: string; label: string };
  landings: string[];
  floor: string | null;
  floorIndex: number | null;
  occurredAt: string;
  confirmedAt: string | null;
  clearedAt: string | null;
  at: string;
  controllerCode: string | null;
  evidence: unknown;
  endOfAlarmSource?: 'input' | 'cli' | 'remote';
  detail?: string;
  clockSynced?: boolean;
  historical: boolean;
}

/** `liftwatch.status/1`: birth (`online`) and will or clean stop (`offline`). */
export interface StatusMessage {
  schema: 'liftwatch.status/1';
  state: 'online' | 'offline';
  session: number;
  gatewayId: string;
  site: SiteRef;
  version: string;
  at: string;
}

/** `liftwatch.data_gap/1`: events the gateway evicted for lack of storage. */
export interface DataGapMessage {
  schema: 'liftwatch.data_gap/1';
  [field: string]: unknown;
}

/** `liftwatch.health/1`: the gateway's periodic counters. */
export interface HealthMessage {
  schema: 'liftwatch.health/1';
  at: string;
  [field: string]: unknown;
}

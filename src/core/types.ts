/**
 * Types shared by the pure core and the adapters around it. The core imports nothing from
 * Node: time arrives as an `Instant` inside each input, ids from an injected `IdSource`.
 */
import type { SignalValues } from './signals.js';

/**
 * A point in time as the driver saw it. `mono` (milliseconds, monotonic, arbitrary origin)
 * is used for every duration, so a wall-clock jump neither fires nor stalls a timer;
 * `wall` (epoch milliseconds) is only used for timestamps that leave the box.
 */
export interface Instant {
  mono: number;
  wall: number;
}

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LIFECYCLES = ['raised', 'updated', 'cleared', 'acknowledged', 'end_of_alarm'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** The normalized taxonomy (docs/taxonomy.md, "The normalized taxonomy"). */
export const ALARM_CODES = [
  'PASSENGER_TRAPPED',
  'STOPPED_BETWEEN_FLOORS',
  'DOORS_WONT_OPEN',
  'ALARM_FILTERED',
  'ALARM_DEVICE_FAULT',
  'SAFETY_CHAIN_OPEN_IN_TRAVEL',
  'DOOR_LOCK_LOST_IN_TRAVEL',
  'SAFETY_CHAIN_OPEN',
  'SAFETY_DEVICE_TRIP',
  'DOOR_OPEN_FAULT',
  'DOOR_CLOSE_FAULT',
  'OUT_OF_SERVICE',
  'INSPECTION_MODE',
  'FIRE_SERVICE_MODE',
  'OVERLOAD',
  'MAINS_POWER_FAILURE',
  'CONTROL_VOLTAGE_LOW',
  'CAR_LIGHT_FAILURE',
  'LEVELLING_FAULT',
  'DRIVE_FAULT',
  'REPEATED_FAULT',
  'CONTROLLER_COMM_LOST',
  'SIGNAL_CHATTERING',
  // Not an alarm: the EN 81-28 periodic test call (at least every 3 days), sent through the
  // whole chain as an info event (raised then cleared at once). Its absence for 3 days is
  // ALARM_DEVICE_FAULT.
  'TEST_CALL',
] as const;
export type AlarmCode = (typeof ALARM_CODES)[number];

/** How an end of alarm was given (EN 81-28: on site by a competent person, or remote reset). */
export type EndOfAlarmSource = 'input' | 'cli' | 'remote';

/** What the core is fed. Every input carries the instant at which the driver observed it. */
export type CoreInput =
  | { kind: 'sample'; liftId: string; at: Instant; values: SignalValues }
  | { kind: 'pollFailed'; liftId: string; at: Instant; reason: string }
  | { kind: 'tick'; at: Instant }
  | { kind: 'endOfAlarm'; liftId: string; at: Instant; source: EndOfAlarmSource; by?: string }
  | { kind: 'acknowledge'; alarmId: string; at: Instant; by?: string }
  | { kind: 'testCall'; liftId: string; at: Instant; source: 'schedule' | 'cli' | 'remote' };

/** Why an alarm was raised: the rule, how long its condition held, the signals behind it. */
export interface Evidence {
  rule: string;
  heldMs: number;
  signals: SignalValues;
}

/** One alarm lifecycle event as the core emits it; the store adds seq and eventId. */
export interface AlarmEvent {
  alarmId: string;
  lifecycle: Lifecycle;
  code: AlarmCode;
  severity: Severity;
  liftId: string;
  /** 0-based landing index of the car, or null when unknown. */
  floor: number | null;
  /** Wall time (epoch ms) of the first edge of the condition. */
  occurredAt: number;
  /** Wall time (epoch ms) when the confirm time had elapsed and the alarm was raised. */
  confirmedAt: number | null;
  /** Wall time (epoch ms) when the alarm ended; null while active. */
  clearedAt: number | null;
  /** Wall time (epoch ms) of this lifecycle step. */
  at: number;
  controllerCode: number | null;
  evidence: Evidence | null;
  /** For `end_of_alarm`: who ended it. */
  endOfAlarmSource?: EndOfAlarmSource;
  /** Free-form detail for operators (e.g. 'suppressed: inspection'). */
  detail?: string;
  /**
   * Whether the box's wall clock was synchronized when the event was stored (a box without RTC
   * boots with a wrong clock). Set by the agent, not the core.
   */
  clockSynced?: boolean;
}

/** The link to a lift's controller as the core sees it. */
export type LinkState = 'ok' | 'lost' | 'unknown';

export type LiftMode = 'normal' | 'inspection' | 'fire_service' | 'out_of_service' | 'unknown';

export type DoorState = 'open' | 'closed' | 'opening_or_closing' | 'unknown';

/** The lift's derived state, published retained on `<root>/lift/<id>/state`. */
export interface LiftSnapshot {
  liftId: string;
  link: LinkState;
  mode: LiftMode;
  moving: boolean | null;
  direction: 'none' | 'up' | 'down' | null;
  floor: number | null;
  inDoorZone: boolean | null;
  doors: DoorState;
  activeAlarms: Array<{ alarmId: string; code: AlarmCode; severity: Severity; since: number }>;
  /** Wall time of the last good sample, or null. */
  lastSampleAt: number | null;
}

/** What the core asks the driver to do. The driver performs effects; the core never does I/O. */
export type CoreEffect =
  | { type: 'event'; event: AlarmEvent }
  | { type: 'snapshot'; snapshot: LiftSnapshot };

/** Source of unique ids, injected so tests are deterministic. */
export interface IdSource {
  newId(): string;
}

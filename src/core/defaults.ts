/**
 * Default timings of the fault core. Every number here is a taxonomy default from
 * docs/taxonomy.md ("The normalized taxonomy") unless the comment says otherwise;
 * sites tune them through `CoreConfig.rules[code]` (confirmMs / clearMs / enabled / bypassMs).
 */
import type { AlarmCode, Severity } from './types.js';
import type { SignalName } from './signals.js';

export interface RuleDefault {
  severity: Severity;
  /** How long the condition must hold before the alarm is raised. */
  confirmMs: number;
  /** How long the condition must be absent before a self-clearing alarm clears. */
  clearMs: number;
  enabled: boolean;
  /** For counting rules: how many occurrences within `windowMs` (see RULE_COUNTS). */
  count?: number;
  windowMs?: number;
}

/** Clear hold for self-clearing alarms. Proposal: short, the confirm times do the filtering. */
const CLEAR_MS = 2_000;

function rule(severity: Severity, confirmMs: number, clearMs = CLEAR_MS): RuleDefault {
  return { severity, confirmMs, clearMs, enabled: true };
}

/** One row per taxonomy code (docs/taxonomy.md table, column "confirm"). */
export const RULE_DEFAULTS: Readonly<Record<AlarmCode, RuleDefault>> = {
  PASSENGER_TRAPPED: rule('critical', 3_000, 0), // press >= 3 s; never clears by itself
  STOPPED_BETWEEN_FLOORS: rule('critical', 30_000),
  DOORS_WONT_OPEN: rule('critical', 15_000),
  ALARM_FILTERED: rule('info', 0, 0),
  ALARM_DEVICE_FAULT: rule('major', 10_000), // Kleemann: fault input persists 10 s
  SAFETY_CHAIN_OPEN_IN_TRAVEL: rule('major', 300), // MCE "door lock clipped": > 300 ms
  DOOR_LOCK_LOST_IN_TRAVEL: rule('major', 300),
  SAFETY_CHAIN_OPEN: rule('major', 5_000),
  SAFETY_DEVICE_TRIP: rule('major', 0),
  DOOR_OPEN_FAULT: rule('major', 10_000),
  DOOR_CLOSE_FAULT: rule('major', 30_000),
  OUT_OF_SERVICE: rule('major', 90_000),
  INSPECTION_MODE: rule('info', 2_000),
  FIRE_SERVICE_MODE: rule('major', 2_000),
  OVERLOAD: rule('minor', 60_000),
  MAINS_POWER_FAILURE: rule('major', 2_000),
  CONTROL_VOLTAGE_LOW: rule('major', 5_000),
  CAR_LIGHT_FAILURE: rule('minor', 10_000),
  LEVELLING_FAULT: rule('minor', 0),
  DRIVE_FAULT: rule('major', 0),
  REPEATED_FAULT: rule('major', 0),
  CONTROLLER_COMM_LOST: rule('major', 10_000), // "3 polls / >= 10 s"
  SIGNAL_CHATTERING: rule('minor', 0),
  TEST_CALL: rule('info', 0, 0), // not an alarm: the EN 81-28 periodic test call
};

/**
 * Counting rules: `count` occurrences within `windowMs` (both tunable per site and per lift).
 * - SIGNAL_CHATTERING: N = 10 flips in 60 s (docs/taxonomy.md).
 * - REPEATED_FAULT: the same code raised 3 times in 24 h (docs/taxonomy.md).
 * - DOOR_CLOSE_FAULT: >= 3 reopen cycles in 60 s (docs/taxonomy.md).
 * - LEVELLING_FAULT: levelling events aggregated per hour ("per event, aggregated hourly",
 *   docs/taxonomy.md); count 1 = the first event raises, the incident clears after a quiet hour.
 * - ALARM_DEVICE_FAULT: windowMs = the longest gap between successful test calls, 3 days
 *   (EN 81-28: a test call at least every 3 days); 0 switches the check off.
 */
export const RULE_COUNTS: Readonly<Partial<Record<AlarmCode, { count: number; windowMs: number }>>> = {
  SIGNAL_CHATTERING: { count: 10, windowMs: 60_000 },
  REPEATED_FAULT: { count: 3, windowMs: 24 * 3_600_000 },
  DOOR_CLOSE_FAULT: { count: 3, windowMs: 60_000 },
  LEVELLING_FAULT: { count: 1, windowMs: 3_600_000 },
  ALARM_DEVICE_FAULT: { count: 1, windowMs: 3 * 24 * 3_600_000 },
};

/**
 * Alarm filter bypass: a filtered press held this long raises PASSENGER_TRAPPED anyway.
 * Vendor manuals (Esse-Ti and others): 15-30 s, default 30 s. Tuned via
 * `rules.PASSENGER_TRAPPED.bypassMs`.
 */
export const ALARM_FILTER_BYPASS_MS = 30_000;

/** CONTROLLER_COMM_LOST needs this many consecutive failed polls ("3 polls", docs/taxonomy.md). */
export const COMM_LOST_FAILED_POLLS = 3;

/** Debounce hold times of one signal: `riseMs` to become true (or to change, for non-booleans), `fallMs` to become false. */
export interface HoldTimes {
  riseMs: number;
  fallMs: number;
}

/**
 * Per-signal debounce. Modbus status registers are already filtered by the controller, so the
 * defaults are 0; the alarm rules' confirm times do the heavy lifting (proposal). A dry-contact
 * retrofit may raise these per site.
 */
export const DEFAULT_HOLD: HoldTimes = { riseMs: 0, fallMs: 0 };
export const SIGNAL_HOLD_DEFAULTS: Partial<Record<SignalName, HoldTimes>> = {};

/**
 * Which alarm codes a lift's wiring can detect, and what to wire for the others. Pure data and
 * set arithmetic: no I/O. A rule that cannot work without a signal must say so before
 * commissioning (docs/taxonomy.md, "What the box can see"): the common retrofit sees only contacts,
 * so an installer has to learn from `config check`, not from a silent night, that a wiring
 * cannot detect e.g. a trapped passenger.
 */
import type { SignalName } from './signals.js';
import { ALARM_CODES, SEVERITIES, type AlarmCode, type Severity } from './types.js';

/** One way to detect a code: every signal listed must be wired. `[]` needs no signal at all. */
export type Alternative = readonly SignalName[];

export interface Detection {
  /** The full rule first; a later alternative is the rule's contact-only inference. */
  alternatives: readonly Alternative[];
  /** Signals that, wired, add to the detection without being needed for it. */
  optional?: { signals: readonly SignalName[]; without: string; adds: string };
}

const ALWAYS: Detection = { alternatives: [[]] };
const only = (...signals: SignalName[]): Detection => ({ alternatives: [signals] });

/** What each code's rule reads (docs/taxonomy.md, "The normalized taxonomy"; docs/alarms.md). */
export const DETECTION: Readonly<Record<AlarmCode, Detection>> = {
  // EN 81-28: the alarm push while the car stands still.
  PASSENGER_TRAPPED: only('alarmButton', 'moving'),
  // The filter (car at a floor, doors open) needs the door zone.
  ALARM_FILTERED: only('alarmButton', 'moving', 'doorZone'),
  // EN 627: car stopped outside the unlocking zone.
  STOPPED_BETWEEN_FLOORS: only('moving', 'doorZone'),
  // The retrofit rarely carries the door-open command: a door still closed (limit or lock)
  // at rest in the door zone stands for it.
  DOORS_WONT_OPEN: {
    alternatives: [
      ['moving', 'doorZone', 'doorOpenCommand', 'doorClosedLimit'],
      ['moving', 'doorZone', 'doorOpenCommand', 'doorLocked'],
      ['moving', 'doorZone', 'doorClosedLimit'],
      ['moving', 'doorZone', 'doorLocked'],
    ],
  },
  // EN 81-28: a test call at least every 3 days; its absence needs no signal. The device's
  // own fault output, when wired, reports faults between test calls.
  ALARM_DEVICE_FAULT: {
    alternatives: [[]],
    optional: { signals: ['alarmDeviceFault'], without: 'from the missing 3-day test call only', adds: "the device's own fault report" },
  },
  // EN 627: safety circuit / lock circuit broken during travel.
  SAFETY_CHAIN_OPEN_IN_TRAVEL: only('safetyChain', 'moving'),
  DOOR_LOCK_LOST_IN_TRAVEL: only('doorLocked', 'moving'),
  SAFETY_CHAIN_OPEN: only('safetyChain', 'moving'),
  // Overspeed governor, final limit, UCM: only the controller's fault code tells them apart.
  SAFETY_DEVICE_TRIP: only('faultCode'),
  // EN 627: door-opening / door-closing fault. Without the command, the door leaving its
  // open limit at rest is the closing attempt, and returning to it a reopen.
  DOOR_OPEN_FAULT: {
    alternatives: [
      ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
      ['moving', 'doorOpenLimit', 'doorClosedLimit'],
    ],
  },
  DOOR_CLOSE_FAULT: {
    alternatives: [
      ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
      ['moving', 'doorOpenLimit', 'doorClosedLimit'],
    ],
  },
  // The controller's own out-of-service flag, or (KONE) a registered call the car ignores.
  OUT_OF_SERVICE: { alternatives: [['outOfService'], ['callRegistered', 'moving']] },
  INSPECTION_MODE: only('inspection'),
  FIRE_SERVICE_MODE: only('fireService'),
  OVERLOAD: only('overload'),
  MAINS_POWER_FAILURE: only('mainsPower'),
  CONTROL_VOLTAGE_LOW: only('controlVoltage'),
  CAR_LIGHT_FAILURE: only('carLight'),
  // Stopped in the door zone and the door opened (commanded, or seen leaving its closed limit).
  LEVELLING_FAULT: {
    alternatives: [
      ['moving', 'doorZone', 'doorOpenCommand'],
      ['moving', 'doorZone', 'doorClosedLimit'],
    ],
  },
  DRIVE_FAULT: only('faultCode'),
  // Built on other alarms, on the link itself, on any signal's changes, on the schedule.
  REPEATED_FAULT: ALWAYS,
  CONTROLLER_COMM_LOST: ALWAYS,
  SIGNAL_CHATTERING: ALWAYS,
  TEST_CALL: ALWAYS,
};

export interface CodeCoverage {
  code: AlarmCode;
  /** Present when coverageOf was given the severities. */
  severity?: Severity;
  detectable: boolean;
  /** The fewest signals to wire to make it detectable (ties: the first alternative); [] when detectable. */
  missing: SignalName[];
  /** Each way to make it detectable, as the signals it still lacks; fewest first, none that
   * only adds to a shorter one; [] when detectable. */
  alternatives: SignalName[][];
  /** Optional signals (Detection.optional) not wired; absent when none. */
  optionalMissing?: SignalName[];
}

/**
 * Every code's coverage by a lift whose wired signals are `wired`. With `severities` (the
 * rules' defaults) each entry names its severity and the list is most severe first, so an
 * undetectable PASSENGER_TRAPPED is the first thing an installer reads; else taxonomy order.
 */
export function coverageOf(
  wired: ReadonlySet<SignalName>,
  severities?: Readonly<Record<AlarmCode, { severity: Severity }>>,
): CodeCoverage[] {
  const out = ALARM_CODES.map((code): CodeCoverage => {
    const d = DETECTION[code];
    const lacking = d.alternatives.map((alt) => alt.filter((s) => !wired.has(s)));
    const detectable = lacking.some((l) => l.length === 0);
    const alternatives = detectable ? [] : minimal(lacking);
    const entry: CodeCoverage = {
      code,
      ...(severities ? { severity: severities[code].severity } : {}),
      detectable,
      missing: alternatives[0] ?? [],
      alternatives,
    };
    const optionalMissing = (d.optional?.signals ?? []).filter((s) => !wired.has(s));
    if (optionalMissing.length > 0) entry.optionalMissing = optionalMissing;
    return entry;
  });
  if (!severities) return out;
  const rank = (c: CodeCoverage): number => SEVERITIES.indexOf(c.severity ?? 'info');
  return out.sort((a, b) => rank(a) - rank(b)); // stable: taxonomy order within a severity
}

/** Fewest first (stable), dropping duplicates and any set that contains a shorter one. */
function minimal(sets: SignalName[][]): SignalName[][] {
  const bySize = [...sets].sort((a, b) => a.length - b.length);
  const kept: SignalName[][] = [];
  for (const s of bySize) {
    if (!kept.some((k) => k.every((x) => s.includes(x)))) kept.push(s);
  }
  return kept;
}

/** "needs outOfService, or callRegistered + moving": every way, signals of one joined by "+". */
export function needsText(c: CodeCoverage): string {
  return `needs ${c.alternatives.map((a) => a.join(' + ')).join(', or ')}`;
}

/** "PASSENGER_TRAPPED (needs alarmButton), ..." in the entries' order; '' when every code is detectable. */
export function cannotDetectText(entries: readonly CodeCoverage[]): string {
  return entries.filter((c) => !c.detectable).map((c) => `${c.code} (${needsText(c)})`).join(', ');
}

/** How many codes are detectable, of how many. */
export function detectCount(entries: readonly CodeCoverage[]): { detects: number; of: number } {
  return { detects: entries.filter((c) => c.detectable).length, of: entries.length };
}

/**
 * One line for people: "detects 17 of 24 codes; cannot detect OUT_OF_SERVICE (needs
 * outOfService, or callRegistered), ...", or "detects all 24 codes"; then what an optional
 * signal left unwired would add (ALARM_DEVICE_FAULT: the device's own fault report).
 */
export function coverageSummary(entries: readonly CodeCoverage[]): string {
  const { detects, of } = detectCount(entries);
  const head = detects === of ? `detects all ${of} codes` : `detects ${detects} of ${of} codes; cannot detect ${cannotDetectText(entries)}`;
  const extras = entries.flatMap((c) => {
    const opt = DETECTION[c.code].optional;
    return c.detectable && c.optionalMissing && opt
      ? [`${c.code} ${opt.without} (wiring ${c.optionalMissing.join(' + ')} adds ${opt.adds})`]
      : [];
  });
  return extras.length ? `${head}; ${extras.join('; ')}` : head;
}

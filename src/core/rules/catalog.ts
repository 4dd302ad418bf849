/**
 * The self-clearing condition rules, one entry per taxonomy row (docs/taxonomy.md, "The
 * normalized taxonomy"; docs/alarms.md explains each for the facility). Order here is the order
 * events are emitted in when several fire at the same instant.
 *
 * Rules read debounced signals through the lift view. A signal the profile does not provide is
 * `undefined`; rules compare with `=== false` / `=== true` so a missing signal never raises.
 */
import type { LiftView } from '../lift-state.js';
import { isStationary } from '../lift-state.js';
import type { ConditionRule } from './timed.js';

/** The door is still shut: closed limit made (or, without that contact, the lock made). */
function doorShut(v: LiftView): boolean {
  const closed = v.values.doorClosedLimit ?? v.values.doorLocked;
  return closed !== false;
}

/**
 * Without the door-open command (the common retrofit wires only contacts): whether the door,
 * off both limits, last left its closed limit (opening) rather than its open limit (closing),
 * read from when each limit was last lost. Null when the limits are not both wired.
 */
function leftClosedLast(v: LiftView): boolean | null {
  const c = v.tracks?.doorClosedLimit;
  const o = v.tracks?.doorOpenLimit;
  if (c === undefined || o === undefined || typeof c.value !== 'boolean' || typeof o.value !== 'boolean') return null;
  return c.since.mono > o.since.mono;
}

/**
 * Without the door-open command: the car has just arrived (the running contact was released,
 * in the door zone) and the door has not moved since. A car that answers a call opens its
 * door on arrival, so the opening is expected.
 */
function arrivedShut(v: LiftView): boolean {
  const m = v.tracks?.moving;
  const shut = typeof v.values.doorClosedLimit === 'boolean' ? v.tracks?.doorClosedLimit : v.tracks?.doorLocked;
  return m !== undefined && m.value === false && m.prev === true && shut !== undefined && shut.value === true && shut.since.mono <= m.since.mono;
}

/** The door stands off both limits. */
function offBothLimits(v: LiftView): boolean {
  return isStationary(v) && v.values.doorOpenLimit === false && v.values.doorClosedLimit === false;
}

const INFERRED = 'inferred from the door contacts (no door-open command wired)';

export const CONDITION_RULES: readonly ConditionRule[] = [
  {
    // STOPPED_BETWEEN_FLOORS (critical, 30 s); EN 627 "car stopped outside the unlocking zone";
    // EN 81-20 3.42 unlocking zone. Inspection travel stops anywhere by design.
    code: 'STOPPED_BETWEEN_FLOORS',
    text: 'car stationary outside the door zone, not in inspection',
    signals: ['moving', 'doorZone', 'inspection', 'floor', 'direction'],
    inputs: ['moving', 'doorZone', 'inspection'],
    condition: (v) => isStationary(v) && v.values.doorZone === false && v.values.inspection !== true,
  },
  {
    // DOORS_WONT_OPEN (critical, 15 s); EN 627 "door-opening fault"; KONE: "door
    // cannot open". The car stands at a landing, the controller commands the door open (without
    // the command wired: the car has just arrived there), and the door has not even left its
    // closed position: nobody can get out.
    code: 'DOORS_WONT_OPEN',
    text: 'car stopped in the door zone, door commanded open, door still shut',
    signals: ['moving', 'doorZone', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit', 'doorLocked'],
    inputs: ['moving', 'doorZone', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit', 'doorLocked'],
    suppressedInInspection: true,
    condition: (v) =>
      isStationary(v) && v.values.doorZone === true && v.values.doorOpenLimit !== true && doorShut(v) &&
      (v.values.doorOpenCommand === true || (v.values.doorOpenCommand === undefined && arrivedShut(v))),
    describe: (v) => (v.values.doorOpenCommand === undefined ? `the car arrived and the door never left closed; ${INFERRED}` : undefined),
  },
  {
    // ALARM_DEVICE_FAULT (10 s): Kleemann's emergency-call fault input persists 10 s;
    // EN 81-28: a test call at least every 3 days (Facts.testOverdue, rules/test-call.ts).
    code: 'ALARM_DEVICE_FAULT',
    text: 'EN 81-28 alarm device reports a fault, or no successful test call within the test interval',
    signals: ['alarmDeviceFault'],
    inputs: ['alarmDeviceFault'],
    condition: (v, f) => v.values.alarmDeviceFault === true || f.testOverdue,
    describe: (v, f) => (v.values.alarmDeviceFault === true ? 'fault input' : f.testOverdue ? 'test call overdue' : undefined),
  },
  {
    // SAFETY_CHAIN_OPEN_IN_TRAVEL (300 ms); EN 627 "safety circuit broken during
    // travel". The drive stops at once, so the rule latches on the edge: the chain opened while
    // the car was running, and has stayed open for confirmMs (MCE-style persistence filter).
    code: 'SAFETY_CHAIN_OPEN_IN_TRAVEL',
    text: 'safety chain opened while the car was running',
    signals: ['safetyChain', 'moving', 'direction', 'doorZone'],
    inputs: ['safetyChain', 'moving'],
    // The open chain drops the main contactor at once (EN 81-20 5.11.2): a chain that reads open
    // while the car keeps running is the tap's contact, not the chain (chatter-model.ts), so the
    // alarm waits for the car to have stopped.
    condition: (v, f) => v.values.safetyChain === false && f.chainOpenedInTravel && isStationary(v),
  },
  {
    // DOOR_LOCK_LOST_IN_TRAVEL (300 ms); EN 627 "lock circuit broken during travel";
    // MCE flags "door lock clipped" only when low > 300 ms while moving.
    code: 'DOOR_LOCK_LOST_IN_TRAVEL',
    text: 'door lock circuit opened while the car was running',
    signals: ['doorLocked', 'moving', 'direction', 'doorZone', 'doorOpenCommand'],
    inputs: ['doorLocked', 'moving', 'doorZone'],
    // The in-travel judgement is made once, at the edge (rules/edge-counts.ts): a lock that opens
    // as the car stops at a landing with the door commanded open is a normal arrival.
    // The lock circuit is part of the safety chain: the car stops at once, as above.
    condition: (v, f) => v.values.doorLocked === false && f.lockLostInTravel && isStationary(v),
  },
  {
    // SAFETY_CHAIN_OPEN (5 s); EN 627 "safety circuit broken". Inspection work opens the chain.
    // A chain that opened in travel is SAFETY_CHAIN_OPEN_IN_TRAVEL, not a second alarm. The
    // landing-door contacts are in series in the safety chain (EN 81-20 5.11.2), so a chain
    // tapped after them opens at every stop while the door is open: it counts only with the door
    // shut (closed limit or lock made); where no door contact is wired, an opening right after
    // an arrival is presumed to be the door for up to a minute (chain-doors.ts).
    code: 'SAFETY_CHAIN_OPEN',
    text: 'safety chain open with the car at rest and the door shut, not in inspection',
    signals: ['safetyChain', 'moving', 'inspection', 'doorClosedLimit', 'doorLocked'],
    inputs: ['safetyChain', 'moving', 'inspection', 'doorClosedLimit', 'doorLocked'],
    condition: (v, f) =>
      v.values.safetyChain === false && isStationary(v) && v.values.inspection !== true && !f.chainOpenedInTravel && doorShut(v) &&
      !f.chainPresumedDoor,
  },
  {
    // DOOR_OPEN_FAULT (10 s); EN 627 "door-opening fault". The door left its closed
    // position on an open command (without the command wired: it left the closed limit last)
    // but did not reach the open limit in time.
    code: 'DOOR_OPEN_FAULT',
    text: 'door commanded open, open limit not reached in time',
    signals: ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
    inputs: ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
    suppressedInInspection: true,
    condition: (v) =>
      offBothLimits(v) &&
      (v.values.doorOpenCommand === true || (v.values.doorOpenCommand === undefined && leftClosedLast(v) === true)),
    describe: (v) => (v.values.doorOpenCommand === undefined ? `door stopped part way while opening; ${INFERRED}` : undefined),
  },
  {
    // DOOR_CLOSE_FAULT (30 s; >= 3 reopen cycles in 60 s); EN 627 "cannot run because
    // of a door-closing fault"; KONE logs door-closing faults. The reopen count raises at once.
    code: 'DOOR_CLOSE_FAULT',
    text: 'door commanded closed, closed limit not reached in time, or repeated reopening',
    signals: ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
    inputs: ['moving', 'doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit'],
    suppressedInInspection: true,
    // A door stalled part-way while closing: neither limit made (without the command wired: it
    // left the open limit last). A door parked fully open (some controllers park that way) is
    // not a close fault.
    condition: (v, f) =>
      (offBothLimits(v) &&
        (v.values.doorOpenCommand === false || (v.values.doorOpenCommand === undefined && leftClosedLast(v) === false))) ||
      f.reopens >= f.reopenLimit,
    immediate: (_v, f) => f.reopens >= f.reopenLimit,
    describe: (v, f) =>
      f.reopens >= f.reopenLimit
        ? `door reopened ${f.reopens} times within the window${v.values.doorOpenCommand === undefined ? `; ${INFERRED}` : ''}`
        : v.values.doorOpenCommand === undefined ? `door stopped part way while closing; ${INFERRED}` : undefined,
  },
  {
    // OUT_OF_SERVICE (90 s); KONE: a registered call with no car response within a
    // set time => out of operation; or the controller says so. Fire service ignores calls by design.
    code: 'OUT_OF_SERVICE',
    text: 'call registered and the car has not moved, or the controller reports out of service',
    signals: ['callRegistered', 'moving', 'outOfService', 'fireService', 'floor'],
    inputs: ['callRegistered', 'moving', 'outOfService'],
    suppressedInInspection: true,
    condition: (v) =>
      v.values.outOfService === true ||
      (v.values.callRegistered === true && isStationary(v) && v.values.fireService !== true),
    describe: (v) => (v.values.outOfService === true ? 'controller out-of-service input' : 'registered call not served'),
  },
  {
    // INSPECTION_MODE (info, 2 s); EN 627 "inspection/service mode".
    code: 'INSPECTION_MODE',
    text: 'inspection / maintenance operation selected',
    signals: ['inspection'],
    inputs: ['inspection'],
    condition: (v) => v.values.inspection === true,
  },
  {
    // FIRE_SERVICE_MODE (2 s): fire-fighter, recall or earthquake mode.
    code: 'FIRE_SERVICE_MODE',
    text: 'fire service, fire recall or earthquake mode active',
    signals: ['fireService'],
    inputs: ['fireService'],
    condition: (v) => v.values.fireService === true,
  },
  {
    // OVERLOAD (minor, 60 s): a car left overloaded (people must step out).
    code: 'OVERLOAD',
    text: 'overload held',
    signals: ['overload'],
    inputs: ['overload'],
    condition: (v) => v.values.overload === true,
  },
  {
    // MAINS_POWER_FAILURE (2 s); EN 627 "mains supply off".
    code: 'MAINS_POWER_FAILURE',
    text: 'mains supply absent',
    signals: ['mainsPower'],
    inputs: ['mainsPower'],
    condition: (v) => v.values.mainsPower === false,
  },
  {
    // CONTROL_VOLTAGE_LOW (5 s); EN 627 "control voltage too low".
    code: 'CONTROL_VOLTAGE_LOW',
    text: 'control voltage low',
    signals: ['controlVoltage'],
    inputs: ['controlVoltage'],
    condition: (v) => v.values.controlVoltage === false,
  },
  {
    // CAR_LIGHT_FAILURE (minor, 10 s); EN 627 "car light supply off".
    code: 'CAR_LIGHT_FAILURE',
    text: 'car light supply off',
    signals: ['carLight'],
    inputs: ['carLight'],
    condition: (v) => v.values.carLight === false,
  },
];

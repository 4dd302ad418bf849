// Which alarm codes a lift's wiring can detect (src/core/coverage.ts) and which signals a
// configured lift delivers (src/config/wired-signals.ts), on the wirings met in the field.
import t from 'tap';
import { loadProfile } from '../src/config/profiles.js';
import type { InputWiring, LiftConfig } from '../src/config/types.js';
import { liftCoverage, wiredSignals } from '../src/config/wired-signals.js';
import { coverageOf, coverageSummary, type CodeCoverage } from '../src/core/coverage.js';
import { RULE_DEFAULTS } from '../src/core/defaults.js';
import { SIGNAL_NAMES, type SignalName } from '../src/core/signals.js';
import { ALARM_CODES, SEVERITIES } from '../src/core/types.js';

function lift(profile: string, wired: SignalName[] = []): LiftConfig {
  const signals = Object.fromEntries(wired.map((s, input): [SignalName, InputWiring] => [s, { input }]));
  return { id: 'B', label: 'Lift B', bus: 'rs485', unitId: 2, profile, landings: ['0', '1'], pollIntervalMs: 500, signals };
}

/** The common DI retrofit (docs/taxonomy.md, what the box can see): contacts only, no commands. */
const DI_RETROFIT: SignalName[] = ['safetyChain', 'doorLocked', 'doorZone', 'moving', 'doorOpenLimit', 'doorClosedLimit', 'alarmButton', 'inspection', 'mainsPower', 'endOfAlarm'];
const MINIMAL: SignalName[] = ['safetyChain', 'doorZone', 'moving', 'alarmButton', 'mainsPower'];

const byCode = (codes: CodeCoverage[], code: string): CodeCoverage => {
  const c = codes.find((x) => x.code === code);
  if (!c) throw new Error(`no ${code}`);
  return c;
};
const undetectable = (codes: CodeCoverage[]): string[] => codes.filter((c) => !c.detectable).map((c) => c.code);

void t.test('the full controller map (liftwatch-sim) detects every code: a wired signal must not be reported missing', async (t) => {
  const sim = loadProfile('liftwatch-sim');
  t.same([...wiredSignals(lift('liftwatch-sim'), sim)].sort(), [...SIGNAL_NAMES].sort(), 'every canonical signal');
  const c = liftCoverage(lift('liftwatch-sim'), sim);
  t.same(undetectable(c.codes), []);
  t.equal(c.detects, ALARM_CODES.length);
  t.equal(coverageSummary(c.codes), `detects all ${ALARM_CODES.length} codes`, 'no note: alarmDeviceFault is wired');
});

void t.test('a frames profile delivers its fields, its ASCII named groups and its constants', async (t) => {
  const ascii = loadProfile('ascii-printer-example');
  const wired = wiredSignals(lift('ascii-printer-example'), ascii);
  t.ok(wired.has('floor') && wired.has('faultCode'), 'floor and faultCode come from named groups only');
  t.same(undetectable(coverageOf(wired)), []);
  const binary = loadProfile('binary-enquiry-example');
  t.same(undetectable(coverageOf(wiredSignals(lift('binary-enquiry-example'), binary))), []);
});

void t.test('the DI retrofit cannot detect OUT_OF_SERVICE and names outOfService, or callRegistered', async (t) => {
  const di = loadProfile('generic-di-16');
  const l = lift('generic-di-16', DI_RETROFIT);
  t.same([...wiredSignals(l, di)].sort(), [...DI_RETROFIT].sort(), 'exactly what the lift wires to an input');
  const c = liftCoverage(l, di);
  const oos = byCode(c.codes, 'OUT_OF_SERVICE');
  t.equal(oos.detectable, false);
  t.same(oos.missing, ['outOfService'], 'fewest additions, first alternative on a tie');
  t.same(oos.alternatives, [['outOfService'], ['callRegistered']], 'moving is wired: only callRegistered lacks');
  t.same(undetectable(c.codes), ['SAFETY_DEVICE_TRIP', 'OUT_OF_SERVICE', 'FIRE_SERVICE_MODE', 'CONTROL_VOLTAGE_LOW', 'DRIVE_FAULT', 'OVERLOAD', 'CAR_LIGHT_FAILURE']);
  for (const code of ['PASSENGER_TRAPPED', 'DOORS_WONT_OPEN', 'DOOR_OPEN_FAULT', 'DOOR_CLOSE_FAULT', 'LEVELLING_FAULT']) {
    t.ok(byCode(c.codes, code).detectable, `${code}: contact-only inference, no command needed`);
  }
  t.match(coverageSummary(c.codes), /^detects 17 of 24 codes; cannot detect SAFETY_DEVICE_TRIP \(needs faultCode\), OUT_OF_SERVICE \(needs outOfService, or callRegistered\),/);
  t.match(coverageSummary(c.codes), /ALARM_DEVICE_FAULT from the missing 3-day test call only \(wiring alarmDeviceFault adds the device's own fault report\)$/);
});

void t.test('the minimal wiring cannot detect the door codes and names the door limits', async (t) => {
  const codes = coverageOf(new Set(MINIMAL), RULE_DEFAULTS);
  const wontOpen = byCode(codes, 'DOORS_WONT_OPEN');
  t.equal(wontOpen.detectable, false);
  t.same(wontOpen.missing, ['doorClosedLimit']);
  t.same(wontOpen.alternatives, [['doorClosedLimit'], ['doorLocked']], 'no alternative that only adds to a shorter one');
  for (const code of ['DOOR_OPEN_FAULT', 'DOOR_CLOSE_FAULT']) {
    const c = byCode(codes, code);
    t.equal(c.detectable, false, code);
    t.same(c.missing, ['doorOpenLimit', 'doorClosedLimit'], code);
    t.same(c.alternatives, [['doorOpenLimit', 'doorClosedLimit']], `${code}: the command-based way needs more`);
  }
  t.same(byCode(codes, 'DOOR_LOCK_LOST_IN_TRAVEL').missing, ['doorLocked']);
  t.match(coverageSummary(codes), 'DOOR_OPEN_FAULT (needs doorOpenLimit + doorClosedLimit)');
  t.ok(byCode(codes, 'STOPPED_BETWEEN_FLOORS').detectable);
  t.ok(byCode(codes, 'CONTROLLER_COMM_LOST').detectable, 'always: the link itself');
});

void t.test('a wiring without alarmButton cannot detect PASSENGER_TRAPPED, and says so first', async (t) => {
  const codes = coverageOf(new Set(DI_RETROFIT.filter((s) => s !== 'alarmButton')), RULE_DEFAULTS);
  const trapped = byCode(codes, 'PASSENGER_TRAPPED');
  t.equal(trapped.detectable, false);
  t.same(trapped.missing, ['alarmButton']);
  t.equal(byCode(codes, 'ALARM_FILTERED').detectable, false);
  t.match(coverageSummary(codes), /^detects 15 of 24 codes; cannot detect PASSENGER_TRAPPED \(needs alarmButton\), /, 'critical first');
});

void t.test('with the severities, the list is most severe first and names each severity', async (t) => {
  const codes = coverageOf(new Set(), RULE_DEFAULTS);
  t.equal(codes.length, ALARM_CODES.length);
  const ranks = codes.map((c) => SEVERITIES.indexOf(c.severity ?? 'info'));
  t.same(ranks, [...ranks].sort((a, b) => a - b));
  t.equal(codes[0]?.code, 'PASSENGER_TRAPPED');
  t.same(coverageOf(new Set()).map((c) => c.code), [...ALARM_CODES], 'taxonomy order without severities');
  t.same(undetectable(codes).includes('REPEATED_FAULT'), false, 'REPEATED_FAULT needs no signal');
  t.same(byCode(codes, 'ALARM_DEVICE_FAULT'), { code: 'ALARM_DEVICE_FAULT', severity: 'major', detectable: true, missing: [], alternatives: [], optionalMissing: ['alarmDeviceFault'] });
});

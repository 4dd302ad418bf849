// The whole taxonomy end to end: liftwatch's simulator drives a representative scenario for every
// code of the taxonomy over Modbus RTU over TCP; the real agent classifies, SQLite stores, aedes carries
// each event to a facility-side subscriber. Confirm times are shortened through the config's
// `rules` (site) and `lifts[].rules` (per lift), as an installer may; the rules are the same.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AT_REST, findEvent, events, startHarness, subscribe, waitFor, writeTemp, type Msg } from './helpers/e2e.js';

const ROOT = new URL('../../', import.meta.url);

const FAST = (confirmMs: number, clearMs = 200): string => `{ confirmMs: ${confirmMs}, clearMs: ${clearMs} }`;
const SITE_RULES = [
  `  PASSENGER_TRAPPED: { confirmMs: 300, bypassMs: 3000 }`,
  `  STOPPED_BETWEEN_FLOORS: ${FAST(600)}`,
  `  DOORS_WONT_OPEN: ${FAST(400)}`,
  `  DOOR_OPEN_FAULT: ${FAST(400)}`,
  `  DOOR_CLOSE_FAULT: ${FAST(400)}`,
  `  SAFETY_CHAIN_OPEN_IN_TRAVEL: ${FAST(200)}`,
  `  DOOR_LOCK_LOST_IN_TRAVEL: ${FAST(200)}`,
  `  SAFETY_CHAIN_OPEN: ${FAST(400)}`,
  `  SAFETY_DEVICE_TRIP: ${FAST(0)}`,
  `  DRIVE_FAULT: ${FAST(0)}`,
  `  OUT_OF_SERVICE: ${FAST(400)}`,
  `  INSPECTION_MODE: ${FAST(200)}`,
  `  FIRE_SERVICE_MODE: ${FAST(200)}`,
  `  OVERLOAD: ${FAST(400)}`,
  `  MAINS_POWER_FAILURE: ${FAST(200)}`,
  `  CONTROL_VOLTAGE_LOW: ${FAST(300)}`,
  `  CAR_LIGHT_FAILURE: ${FAST(300)}`,
  `  ALARM_DEVICE_FAULT: { confirmMs: 300, clearMs: 200, windowMs: 0 }`,
  `  LEVELLING_FAULT: { count: 1, windowMs: 1500 }`,
  `  SIGNAL_CHATTERING: { count: 8, windowMs: 4000 }`,
  `  REPEATED_FAULT: { count: 3, windowMs: 600000 }`,
  // Not shortened much: on a loaded test machine a few slow polls must not look like a lost link
  // (which would rightly hold every pending alarm).
  `  CONTROLLER_COMM_LOST: { confirmMs: 3000 }`,
].join('\n');

void t.test('every taxonomy code, driven by the simulator over Modbus, arrives on MQTT', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-e2e-alarms-'));
  // The simulator's profile plus a controller fault table, as a site adapts a profile.
  const profile = readFileSync(new URL('devices/liftwatch-sim.yaml', ROOT), 'utf8')
    .replace('id: liftwatch-sim', 'id: liftwatch-sim-faults')
    .replace('\nfaultCodes:\n', '\nfaultCodes:\n  "17": { code: SAFETY_DEVICE_TRIP, text: overspeed governor tripped }\n');
  if (!profile.includes('"17"')) throw new Error('devices/liftwatch-sim.yaml has no faultCodes table to extend');
  writeTemp(dir, 'liftwatch-sim-faults.yaml', profile);
  const h = await startHarness({
    dir,
    rules: SITE_RULES,
    lifts: [
      { id: 'A', unitId: 1, profile: './liftwatch-sim-faults.yaml', landings: ['0', '1', '2', '3', '4'] },
      // Lift B: its own rules - the EN 81-28 test interval shortened to 2 s.
      { id: 'B', unitId: 2, landings: ['0', '1', '2'], rules: '      ALARM_DEVICE_FAULT: { confirmMs: 100, clearMs: 100, windowMs: 2000 }' },
    ],
  });
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  t.teardown(async () => {
    if (process.env['LIFTWATCH_TEST_LOG'] === 'events') for (const e of events(sub.messages)) console.error((e['lift'] as { id: string }).id, e['code'], e['lifecycle'], e['at'], e['detail'] ?? '');
    await sub.close();
    await h.stop();
  });
  const lift = h.sim.lift(1);
  const set = (extra: Record<string, boolean | number> = {}): void => {
    lift.release();
    lift.hold({ ...AT_REST, ...extra });
  };
  const stateOf = (id: string): Msg | undefined =>
    [...sub.messages].reverse().find((m) => m.topic === `${h.root}/lift/${id}/state`);
  const ev = (code: string, lifecycle: string, pred: (e: Record<string, unknown>) => boolean = () => true) =>
    waitFor(() => events(sub.messages).find((e) => e['code'] === code && e['lifecycle'] === lifecycle && pred(e)), 10_000, `${code} ${lifecycle}`);
  /** Raise with `extra`, back to rest, wait for the clear; returns the raised event. */
  const raiseAndClear = async (code: string, extra: Record<string, boolean | number>) => {
    set(extra);
    const raised = await ev(code, 'raised');
    set();
    const cleared = await ev(code, 'cleared', (e) => e['alarmId'] === raised['alarmId']);
    return { raised, cleared };
  };
  set();
  await waitFor(() => stateOf('A')?.payload['link'] === 'ok', 5000, 'lift A link ok');

  await t.test('ALARM_DEVICE_FAULT (no test call within lift B\'s interval), then TEST_CALL clears it', async (t) => {
    const overdue = await ev('ALARM_DEVICE_FAULT', 'raised', (e) => e['lift'] !== undefined && (e['lift'] as { id: string }).id === 'B');
    t.match(overdue['evidence'], { rule: /test call overdue/ });
    h.composed.agent.testCall('B', 'cli');
    const call = await ev('TEST_CALL', 'raised');
    t.equal(call['severity'], 'info');
    t.same(call['lift'], { id: 'B', label: 'Lift B' }, 'the lift identifies itself on the test call (EN 81-28)');
    await ev('TEST_CALL', 'cleared', (e) => e['alarmId'] === call['alarmId']);
    await ev('ALARM_DEVICE_FAULT', 'cleared', (e) => e['alarmId'] === overdue['alarmId']);
  });

  await t.test('door rules', async (t) => {
    const a = await raiseAndClear('DOORS_WONT_OPEN', { doorOpenCommand: true, doorLocked: false });
    t.equal(a.raised['severity'], 'critical');
    t.match(a.raised['evidence'], { signals: { doorOpenCommand: true, doorClosedLimit: true } });
    const b = await raiseAndClear('DOOR_OPEN_FAULT', { doorOpenCommand: true, doorLocked: false, doorClosedLimit: false });
    t.equal(b.raised['severity'], 'major');
    const c = await raiseAndClear('DOOR_CLOSE_FAULT', { doorLocked: false, doorClosedLimit: false });
    t.equal(c.raised['severity'], 'major');
  });

  await t.test('in-travel safety rules and STOPPED_BETWEEN_FLOORS', async (t) => {
    set({ moving: true, doorZone: false });
    await waitFor(() => stateOf('A')?.payload['moving'] === true, 3000, 'car running');
    set({ doorZone: false, safetyChain: false });
    const chain = await ev('SAFETY_CHAIN_OPEN_IN_TRAVEL', 'raised');
    t.match(chain['evidence'], { signals: { safetyChain: false } });
    await ev('STOPPED_BETWEEN_FLOORS', 'raised');
    t.notOk(findEvent(sub.messages, 'SAFETY_CHAIN_OPEN', 'raised'), 'one alarm for one cause');
    set();
    await ev('SAFETY_CHAIN_OPEN_IN_TRAVEL', 'cleared');
    await ev('STOPPED_BETWEEN_FLOORS', 'cleared');
    set({ moving: true, doorZone: false });
    await waitFor(() => stateOf('A')?.payload['moving'] === true, 3000, 'car running');
    lift.inject({ kind: 'door-lock-lost' });
    set({ doorZone: false, doorLocked: false });
    await ev('DOOR_LOCK_LOST_IN_TRAVEL', 'raised');
    lift.remove('door-lock-lost');
    set();
    await ev('DOOR_LOCK_LOST_IN_TRAVEL', 'cleared');
    const rest = await raiseAndClear('SAFETY_CHAIN_OPEN', { safetyChain: false });
    t.equal(rest.raised['severity'], 'major');
  });

  await t.test('controller fault codes: mapped SAFETY_DEVICE_TRIP, unmapped DRIVE_FAULT, raw code untouched', async (t) => {
    const trip = await raiseAndClear('SAFETY_DEVICE_TRIP', { faultCode: 17 });
    t.equal(trip.raised['controllerCode'], 17);
    const drive = await raiseAndClear('DRIVE_FAULT', { faultCode: 231 });
    t.equal(drive.raised['controllerCode'], 231);
  });

  await t.test('modes, supplies and inputs, injected as simulator behaviours', async (t) => {
    const cases = [
      ['out-of-service', 'OUT_OF_SERVICE', 'major'],
      ['fire-service', 'FIRE_SERVICE_MODE', 'major'],
      ['overload', 'OVERLOAD', 'minor'],
      ['control-voltage-low', 'CONTROL_VOLTAGE_LOW', 'major'],
      ['car-light-off', 'CAR_LIGHT_FAILURE', 'minor'],
      ['alarm-device-fault', 'ALARM_DEVICE_FAULT', 'major'],
      ['inspection', 'INSPECTION_MODE', 'info'],
    ] as const;
    for (const [kind, code, severity] of cases) {
      lift.inject({ kind });
      const raised = await ev(code, 'raised', (e) => (e['lift'] as { id: string }).id === 'A');
      t.equal(raised['severity'], severity, `${code} severity`);
      lift.remove(kind);
      await ev(code, 'cleared', (e) => e['alarmId'] === raised['alarmId']);
    }
  });

  await t.test('inspection: a door fault is recorded as suppressed (info), never raised', async (t) => {
    set({ inspection: true, doorLocked: false, doorClosedLimit: false });
    const rec = await ev('DOOR_CLOSE_FAULT', 'raised', (e) => e['detail'] === 'suppressed: inspection');
    t.equal(rec['severity'], 'info');
    await ev('DOOR_CLOSE_FAULT', 'cleared', (e) => e['alarmId'] === rec['alarmId']);
    set();
  });

  await t.test('LEVELLING_FAULT: the car relevels with the door open', async (t) => {
    const open = { doorOpenCommand: true, doorOpenLimit: true, doorClosedLimit: false, doorLocked: false };
    set(open);
    await waitFor(() => stateOf('A')?.payload['doors'] === 'open', 3000, 'doors open');
    set({ ...open, moving: true });
    const raised = await ev('LEVELLING_FAULT', 'raised');
    t.match(raised['detail'], /relevelled/);
    set();
    await ev('LEVELLING_FAULT', 'cleared');
  });

  await t.test('SIGNAL_CHATTERING: a loose car-light contact is reported once; CAR_LIGHT_FAILURE held until it is calm', async (t) => {
    lift.inject({ kind: 'chatter', signal: 'carLight', periodMs: 400 });
    const raised = await ev('SIGNAL_CHATTERING', 'raised');
    t.match(raised['detail'], /carLight/);
    // The contact now stays off: the light really failed, but the signal is still chattering.
    lift.remove('chatter');
    set({ carLight: false });
    const cleared = await ev('SIGNAL_CHATTERING', 'cleared', (e) => e['alarmId'] === raised['alarmId']);
    // Held: no CAR_LIGHT_FAILURE raised (nor cleared) while the signal chattered. (On a loaded
    // machine polls may be sparse enough for one to be raised before the 8th flip; that is fine.)
    const during = events(sub.messages).filter((e) => e['code'] === 'CAR_LIGHT_FAILURE' &&
      String(e['at']) > String(raised['at']) && String(e['at']) < String(cleared['at']));
    t.same(during.map((e) => e['lifecycle']), [], 'CAR_LIGHT_FAILURE held while chattering');
    await waitFor(() => (stateOf('A')?.payload['activeAlarms'] as Array<{ code: string }> | undefined)?.some((a) => a.code === 'CAR_LIGHT_FAILURE'),
      5000, 'CAR_LIGHT_FAILURE active once calm');
    set();
    await waitFor(() => !(stateOf('A')?.payload['activeAlarms'] as Array<{ code: string }>).some((a) => a.code === 'CAR_LIGHT_FAILURE'), 5000, 'light cleared');
  });

  await t.test('PASSENGER_TRAPPED and ALARM_FILTERED (EN 81-28), ended by remote reset', async (t) => {
    const open = { doorOpenCommand: true, doorOpenLimit: true, doorClosedLimit: false, doorLocked: false };
    set({ ...open, alarmButton: true });
    await new Promise((r) => setTimeout(r, 600));
    set(open);
    const filtered = await ev('ALARM_FILTERED', 'raised');
    t.equal(filtered['severity'], 'info');
    set({ doorZone: false, alarmButton: true });
    const trapped = await ev('PASSENGER_TRAPPED', 'raised');
    set();
    h.composed.agent.endOfAlarm('A', 'remote', 'facility');
    const end = await ev('PASSENGER_TRAPPED', 'end_of_alarm');
    t.equal(end['alarmId'], trapped['alarmId']);
    t.equal(end['endOfAlarmSource'], 'remote');
  });

  await t.test('REPEATED_FAULT: mains lost three times, one level up', async (t) => {
    const count = (lc: string): number => events(sub.messages).filter((e) => e['code'] === 'MAINS_POWER_FAILURE' && e['lifecycle'] === lc).length;
    for (let i = 0; i < 3; i++) {
      const raised = count('raised');
      const cleared = count('cleared');
      set({ mainsPower: false });
      await waitFor(() => count('raised') > raised, 5000, 'mains raised');
      set();
      await waitFor(() => count('cleared') > cleared, 5000, 'mains cleared');
    }
    const rep = await ev('REPEATED_FAULT', 'raised', (e) => /MAINS_POWER_FAILURE/.test(String(e['detail'])));
    t.equal(rep['severity'], 'critical', 'major + one level');
  });

  await t.test('CONTROLLER_COMM_LOST when the unit goes silent', async () => {
    lift.inject({ kind: 'silent' });
    const raised = await ev('CONTROLLER_COMM_LOST', 'raised', (e) => (e['lift'] as { id: string }).id === 'A');
    lift.remove('silent');
    await ev('CONTROLLER_COMM_LOST', 'cleared', (e) => e['alarmId'] === raised['alarmId']);
  });

  await t.test('every code of the taxonomy was seen on MQTT, each event once and with evidence', async (t) => {
    const evs = events(sub.messages);
    const { ALARM_CODES } = await import('../src/core/types.js');
    const seen = new Set(evs.map((e) => e['code']));
    t.same(ALARM_CODES.filter((c) => !seen.has(c)), [], 'no code missing');
    t.equal(new Set(evs.map((e) => e['eventId'])).size, evs.length, 'no duplicate on a healthy link');
    t.ok(evs.every((e) => e['evidence'] !== null), 'evidence on every event');
  });
});

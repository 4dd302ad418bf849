// The data path end to end through the real parts: liftwatch's simulator answers Modbus RTU frames
// over TCP on loopback, the agent polls it, the core classifies, SQLite stores, aedes carries
// the events to a facility-side subscriber. Each implemented alarm is raised and cleared.
import t from 'tap';
import { AT_REST, findEvent, events, startHarness, subscribe, waitFor } from './helpers/e2e.js';

// Confirm times shortened per site (config `rules`), as an installer may: the rules are the
// same, the test is quicker.
const FAST_RULES = [
  '  STOPPED_BETWEEN_FLOORS: { confirmMs: 800, clearMs: 300 }',
  '  SAFETY_CHAIN_OPEN: { confirmMs: 500, clearMs: 300 }',
  '  MAINS_POWER_FAILURE: { confirmMs: 400, clearMs: 300 }',
  '  CONTROLLER_COMM_LOST: { confirmMs: 1000 }',
].join('\n');

void t.test('each implemented alarm over Modbus RTU over TCP, raised and cleared on MQTT', async (t) => {
  const h = await startHarness({ rules: FAST_RULES });
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  t.teardown(async () => {
    await sub.close();
    await h.stop();
  });
  const lift = h.sim.lift(1);
  // hold() merges overrides; `set` replaces them, so each step states the whole picture.
  const set = (extra: Record<string, boolean> = {}): void => {
    lift.release();
    lift.hold({ ...AT_REST, ...extra });
  };
  set();
  await waitFor(() => sub.messages.find((m) => m.topic === `${h.root}/lift/A/state` && m.payload['link'] === 'ok'), 15_000, 'lift A state link ok');
  const status = sub.messages.find((m) => m.topic === `${h.root}/status`);
  t.equal(status?.payload['state'], 'online', 'retained birth');
  t.equal(status?.retain, true);

  void t.test('MAINS_POWER_FAILURE', async (t) => {
    set({ mainsPower: false });
    const raised = await waitFor(() => findEvent(sub.messages, 'MAINS_POWER_FAILURE', 'raised'), 15_000, 'mains raised');
    set({ mainsPower: true });
    const cleared = await waitFor(() => findEvent(sub.messages, 'MAINS_POWER_FAILURE', 'cleared'), 15_000, 'mains cleared');
    t.equal(raised['alarmId'], cleared['alarmId'], 'one alarmId per incident');
    t.not(raised['eventId'], cleared['eventId']);
    t.equal(raised['severity'], 'major');
    t.same(raised['site'], { id: 'test-site', name: 'Test House' });
    t.same(raised['lift'], { id: 'A', label: 'Lift A' });
    t.same(raised['landings'], ['0', '1', '2', '3', '4'], 'whose tenants to inform');
    t.equal(raised['floor'], '1', 'the car position as a landing label');
    t.equal(raised['historical'], false);
    t.match(raised['occurredAt'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.ok((cleared['seq'] as number) > (raised['seq'] as number));
    t.match(cleared['clearedAt'], /Z$/);
  });

  void t.test('SAFETY_CHAIN_OPEN', async (t) => {
    set({ safetyChain: false });
    const raised = await waitFor(() => findEvent(sub.messages, 'SAFETY_CHAIN_OPEN', 'raised'), 15_000, 'chain raised');
    t.equal(raised['severity'], 'major');
    t.match(raised['evidence'], { signals: { safetyChain: false } }, 'evidence names the signal');
    set();
    await waitFor(() => findEvent(sub.messages, 'SAFETY_CHAIN_OPEN', 'cleared'), 15_000, 'chain cleared');
  });

  void t.test('STOPPED_BETWEEN_FLOORS', async (t) => {
    set({ doorZone: false });
    const raised = await waitFor(() => findEvent(sub.messages, 'STOPPED_BETWEEN_FLOORS', 'raised'), 15_000, 'stopped raised');
    t.equal(raised['severity'], 'critical');
    set();
    await waitFor(() => findEvent(sub.messages, 'STOPPED_BETWEEN_FLOORS', 'cleared'), 15_000, 'stopped cleared');
  });

  void t.test('PASSENGER_TRAPPED ends only by the on-site end-of-alarm input', async (t) => {
    set({ doorZone: false, alarmButton: true });
    const raised = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'raised'), 15_000, 'trapped raised');
    t.equal(raised['severity'], 'critical');
    // Button released and the car back at a landing: still active (EN 81-28: never by itself).
    set();
    await new Promise((r) => setTimeout(r, 1500));
    t.notOk(findEvent(sub.messages, 'PASSENGER_TRAPPED', 'cleared'));
    t.notOk(findEvent(sub.messages, 'PASSENGER_TRAPPED', 'end_of_alarm'));
    const state = [...sub.messages].reverse().find((m) => m.topic === `${h.root}/lift/A/state`);
    t.match(state?.payload['activeAlarms'], [{ code: 'PASSENGER_TRAPPED' }], 'still active in the retained state');
    set({ endOfAlarm: true });
    const ended = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'end_of_alarm'), 15_000, 'end of alarm');
    t.equal(ended['alarmId'], raised['alarmId']);
    t.equal(ended['endOfAlarmSource'], 'input');
    set();
  });

  void t.test('CONTROLLER_COMM_LOST when the unit goes silent, cleared when it answers', async (t) => {
    lift.inject({ kind: 'silent' });
    const raised = await waitFor(() => findEvent(sub.messages, 'CONTROLLER_COMM_LOST', 'raised'), 15_000, 'comm lost raised');
    t.equal(raised['severity'], 'major');
    const lost = await waitFor(
      () => [...sub.messages].reverse().find((m) => m.topic === `${h.root}/lift/A/state` && m.payload['link'] === 'lost'),
      3000,
      'state link lost',
    );
    t.equal(lost.payload['mode'], 'unknown', 'lift state unknown while the link is lost');
    const stats = h.composed.agent.busStats()[0]?.units[0];
    t.ok((stats?.errors.TIMEOUT ?? 0) >= 3, 'timeouts counted per unit');
    lift.remove('silent');
    await waitFor(() => findEvent(sub.messages, 'CONTROLLER_COMM_LOST', 'cleared'), 15_000, 'comm lost cleared');
  });

  void t.test('the facility saw every event once, with strictly increasing seq', async (t) => {
    const evs = events(sub.messages);
    const seqs = evs.map((e) => e['seq'] as number);
    t.same(seqs, [...seqs].sort((a, b) => a - b), 'delivered in seq order');
    t.equal(new Set(evs.map((e) => e['eventId'])).size, evs.length, 'no duplicate on a healthy link');
    t.equal(h.composed.outbox.stats().pending, 0, 'nothing left in the outbox');
  });
});

void t.test('a garbled answer is counted and survived: the poller keeps going', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.stop());
  const lift = h.sim.lift(1);
  lift.hold({ ...AT_REST });
  await waitFor(() => (h.composed.agent.busStats()[0]?.units[0]?.ok ?? 0) > 2, 15_000, 'first good polls');
  const unit = () => h.composed.agent.busStats()[0]!.units[0]!;
  const errorsOf = (u: ReturnType<typeof unit>) => Object.values(u.errors).reduce((a, n) => a + n, 0);
  const during = async (kind: 'bad-crc' | 'exception' | 'garbage') => {
    const was = structuredClone(unit());
    lift.inject({ kind });
    // Until a poll has met the fault (after a failure the poller backs off, up to seconds).
    await waitFor(() => unit().ok + errorsOf(unit()) > was.ok + errorsOf(was), 15_000, `a poll during ${kind}`);
    lift.remove(kind);
    const now = structuredClone(unit());
    return { was, now, show: `before ${JSON.stringify(was.errors)} ok ${was.ok}, after ${JSON.stringify(now.errors)} ok ${now.ok}` };
  };
  // Each kind of bad answer is counted under its own outcome, not as a timeout: a poller that
  // hid bad CRCs behind timeouts would tell a technician "silent unit" for a noisy line.
  const crc = await during('bad-crc');
  t.ok(crc.now.errors.CRC > crc.was.errors.CRC, `bad-crc answers counted as CRC (${crc.show})`);
  const exc = await during('exception');
  t.ok(exc.now.errors.EXCEPTION > exc.was.errors.EXCEPTION, `exception answers counted as EXCEPTION (${exc.show})`);
  // Line noise before an answer (bytes that are no unit address) is skipped: the answer is read.
  const noise = await during('garbage');
  t.ok(noise.now.ok > noise.was.ok, `answers behind line noise read (${noise.show})`);
  t.equal(errorsOf(noise.now), errorsOf(noise.was), 'line noise before an answer is not an error');
  const before = unit();
  await waitFor(() => (h.composed.agent.busStats()[0]?.units[0]?.ok ?? 0) > before.ok + 3, 15_000, 'polling resumed');
  t.ok(unit().ok > before.ok + 3, 'the poller did not stall: good polls after the bad answers');
});

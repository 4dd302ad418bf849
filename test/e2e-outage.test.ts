// End to end: nothing is lost when the broker goes away or the agent restarts (other gateways
// lost buffered data around outages and restarts: docs/taxonomy.md, "Field failures the tests
// guard against").
import t from 'tap';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import { AT_REST, events, findEvent, startHarness, subscribe, waitFor } from './helpers/e2e.js';

const RULES = [
  '  MAINS_POWER_FAILURE: { confirmMs: 200, clearMs: 200 }',
  '  SAFETY_CHAIN_OPEN: { confirmMs: 200, clearMs: 200 }',
].join('\n');

void t.test('events produced while the broker is down are delivered when it returns, in order, none lost', async (t) => {
  const h = await startHarness({ rules: RULES });
  const lift = h.sim.lift(1);
  const set = (extra: Record<string, boolean> = {}): void => {
    lift.release();
    lift.hold({ ...AT_REST, ...extra });
  };
  set();
  await waitFor(() => h.composed.uplink.connected, 15_000, 'agent connected');
  await h.broker!.stop();
  await waitFor(() => !h.composed.uplink.connected, 15_000, 'agent noticed the broker is gone');

  // Three incidents while nobody can hear: 6 lifecycle events, all committed to SQLite.
  for (const signal of ['mainsPower', 'safetyChain', 'mainsPower'] as const) {
    const before = h.composed.outbox.stats().pending;
    set({ [signal]: false });
    await waitFor(() => h.composed.outbox.stats().pending > before, 15_000, `${signal} raised offline`);
    set();
    await waitFor(() => h.composed.outbox.stats().pending > before + 1, 15_000, `${signal} cleared offline`);
  }
  t.equal(h.composed.outbox.stats().pending, 6, 'six events wait in the outbox');

  // The broker returns on the same port. It admits the agent only once the facility
  // subscriber is listening, so the test sees every delivery.
  let facilityReady = false;
  const broker = new EmbeddedBroker({
    port: h.brokerPort,
    logger: new ConsoleLogger({ level: 'silent' }),
    admit: (c) => c.clientId.startsWith('facility') || facilityReady,
  });
  await broker.start();
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  facilityReady = true;
  t.teardown(async () => {
    await sub.close();
    await h.stop();
    await broker.stop();
  });
  await waitFor(() => events(sub.messages).length >= 6, 10_000, 'six events delivered');
  const evs = events(sub.messages);
  t.same(
    evs.map((e) => `${e['code']}:${e['lifecycle']}`),
    [
      'MAINS_POWER_FAILURE:raised',
      'MAINS_POWER_FAILURE:cleared',
      'SAFETY_CHAIN_OPEN:raised',
      'SAFETY_CHAIN_OPEN:cleared',
      'MAINS_POWER_FAILURE:raised',
      'MAINS_POWER_FAILURE:cleared',
    ],
    'all delivered, in the order they happened',
  );
  const seqs = evs.map((e) => e['seq'] as number);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'strictly increasing seq');
  t.ok(evs.every((e) => e['historical'] === true), 'flagged historical: delivered late from the buffer');
  await waitFor(() => h.composed.outbox.stats().pending === 0, 15_000, 'outbox drained on PUBACK');
  const status = sub.messages.find((m) => m.topic === `${h.root}/status`);
  t.equal(status?.payload['state'], 'online', 'birth re-published after the broker restart');
  t.ok(
    // (Forwarded live to an existing subscription, a retained publish arrives with retain=0:
    // [MQTT-3.3.1-9]; the broker still stores it as retained.)
    sub.messages.some((m) => m.topic === `${h.root}/lift/A/state`),
    'retained lift state re-published after the broker restart',
  );
});

void t.test('an active PASSENGER_TRAPPED survives an agent restart and ends by end of alarm', async (t) => {
  const h1 = await startHarness();
  const lift = h1.sim.lift(1);
  const sub = await subscribe(h1.brokerPort, `${h1.root}/#`);
  lift.hold({ ...AT_REST, doorZone: false, alarmButton: true });
  const raised = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'raised'), 15_000, 'trapped raised');
  const session1 = sub.messages.find((m) => m.topic.endsWith('/status'))?.payload['session'] as number;
  await h1.stop({ keepSim: true, keepBroker: true, keepDir: true });
  lift.release();
  lift.hold({ ...AT_REST }); // the button was released while the agent was down

  const h2 = await startHarness({ dir: h1.dir, simulator: h1.sim, simPort: h1.simPort!, brokerPort: h1.brokerPort, startBroker: false });
  t.teardown(async () => {
    await sub.close();
    await h2.stop();
    await h1.sim.stop();
    await h1.broker!.stop();
  });
  await waitFor(
    () => sub.messages.find((m) => m.topic.endsWith('/status') && m.payload['state'] === 'online' && (m.payload['session'] as number) > session1),
    5000,
    'second session online',
  );
  const state = await waitFor(
    () =>
      [...sub.messages]
        .reverse()
        .find((m) => m.topic.endsWith('/lift/A/state') && m.payload['link'] === 'ok' && Array.isArray(m.payload['activeAlarms'])),
    5000,
    'state after restart',
  );
  t.match(state.payload['activeAlarms'], [{ code: 'PASSENGER_TRAPPED', alarmId: raised['alarmId'] }], 'restored from the store');
  t.equal(events(sub.messages).filter((e) => e['code'] === 'PASSENGER_TRAPPED' && e['lifecycle'] === 'raised').length, 1, 'not raised twice');
  lift.hold({ endOfAlarm: true });
  const ended = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'end_of_alarm'), 15_000, 'end of alarm');
  t.equal(ended['alarmId'], raised['alarmId'], 'the same incident ends');
});

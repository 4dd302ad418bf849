/**
 * Request/response end to end: a facility client publishes on <root>/request/<op>
 * to the agent's embedded aedes broker; the real agent (simulator → core → SQLite → MQTT)
 * answers on <root>/response/<op> echoing `transaction`, and acts through the core:
 * ack → `acknowledged`, reset → `end_of_alarm` with source `remote` (EN 81-28 remote reset).
 * Unknown ops and bad payloads get error responses and change nothing; a retained request
 * replayed by the broker after a reconnect is ignored.
 */
import t from 'tap';
import { facilityClient, startAgent } from './contract-helpers.js';
import { tempDir, waitFor } from './uplink-helpers.js';

void t.test('ping, errors, ack, reset, test, rebirth and retained replay against the real agent', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const { root } = agent;
  const fac = await facilityClient(`mqtt://127.0.0.1:${agent.brokerPort}`, [`${root}/response/+`, `${root}/lift/+/event`, `${root}/status`]);
  t.teardown(() => fac.close());
  const responses = () => fac.got.filter((m) => m.topic.startsWith(`${root}/response/`));
  const events = () => fac.got.filter((m) => m.topic.endsWith('/event')).map((m) => m.json);
  const request = async (op: string, body: unknown): Promise<Record<string, unknown>> => {
    const before = responses().length;
    await fac.client.publishAsync(`${root}/request/${op}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
    await waitFor(() => responses().length > before, 5000, `response to ${op}`);
    const r = responses()[before];
    t.equal(r?.topic, `${root}/response/${op}`, `${op} answered on response/${op}`);
    t.equal(r?.retain, false, 'responses are not retained');
    return r?.json ?? {};
  };

  t.match(await request('ping', { transaction: 't-1' }), {
    schema: 'liftwatch.response/1',
    op: 'ping',
    transaction: 't-1',
    ok: true,
    gatewayId: 'gw1',
    data: { pong: true, session: agent.stack.composed.session },
  });
  t.match(await request('ping', {}), { ok: true, transaction: null }, 'no transaction: null');

  // Refusals: each names a stable code, and nothing reaches the core.
  const pendingBefore = agent.stack.composed.outbox.stats();
  const eventsBefore = events().length;
  t.match(await request('frobnicate', { transaction: 7 }), { ok: false, transaction: 7, error: { code: 'UNKNOWN_OP' } });
  t.match(await request('ack', 'not json'), { ok: false, transaction: null, error: { code: 'MALFORMED' } });
  t.match(await request('ack', [1, 2]), { ok: false, error: { code: 'MALFORMED' } });
  t.match(await request('ack', { transaction: 'x' }), { ok: false, transaction: 'x', error: { code: 'INVALID', message: /alarmId/ } });
  t.match(await request('ack', { alarmId: 'a', alarmID: 'typo' }), { ok: false, error: { code: 'INVALID', message: /unexpected field alarmID/ } });
  t.match(await request('ack', { alarmId: 'no-such-alarm' }), { ok: false, error: { code: 'UNKNOWN_ALARM' } });
  t.match(await request('reset', { liftId: 'Z' }), { ok: false, error: { code: 'UNKNOWN_LIFT' } });
  t.match(await request('test', { liftId: 42 }), { ok: false, error: { code: 'INVALID' } });
  t.equal(events().length, eventsBefore, 'no event from a refused request');
  t.equal(agent.stack.composed.outbox.stats().delivered + agent.stack.composed.outbox.stats().pending, pendingBefore.delivered + pendingBefore.pending, 'nothing committed');

  // A trapped passenger: the button held on the simulated lift (doors closed, car stationary).
  agent.stack.simulator?.lift(1).inject({ kind: 'alarm-button', durationMs: 1500 });
  await waitFor(() => events().some((e) => e['code'] === 'PASSENGER_TRAPPED' && e['lifecycle'] === 'raised'), 10_000, 'PASSENGER_TRAPPED raised');
  const alarmId = events().find((e) => e['code'] === 'PASSENGER_TRAPPED')?.['alarmId'] as string;

  t.match(await request('ack', { transaction: 'ack-1', alarmId, by: 'facility desk' }), {
    ok: true,
    transaction: 'ack-1',
    data: { alarmId, liftId: 'A', code: 'PASSENGER_TRAPPED' },
  });
  await waitFor(() => events().some((e) => e['alarmId'] === alarmId && e['lifecycle'] === 'acknowledged'), 5000, 'acknowledged event');
  t.match(events().find((e) => e['lifecycle'] === 'acknowledged'), { alarmId, detail: /facility desk/ });

  const reset = await request('reset', { transaction: 'r-1', liftId: 'A', by: 'remote operator' });
  t.match(reset, { ok: true, transaction: 'r-1', data: { liftId: 'A', ended: [alarmId] } });
  await waitFor(() => events().some((e) => e['alarmId'] === alarmId && e['lifecycle'] === 'end_of_alarm'), 5000, 'end_of_alarm event');
  t.match(events().find((e) => e['lifecycle'] === 'end_of_alarm'), { alarmId, endOfAlarmSource: 'remote' });

  // TEST_CALL in the core has its own tests (test/scenarios/62-test-call.yaml): assert the response only.
  t.match(await request('test', { transaction: 'tc', liftId: 'A' }), { ok: true, transaction: 'tc', data: { liftId: 'A' } });

  const statusesBefore = fac.got.filter((m) => m.topic === `${root}/status`).length;
  const rebirth = await request('rebirth', { transaction: 'rb' });
  t.match(rebirth, { ok: true, transaction: 'rb' });
  t.ok((rebirth['data'] as { republished: number }).republished >= 2, 'status and the lift state at least');
  t.ok(fac.got.filter((m) => m.topic === `${root}/status`).length > statusesBefore, 'status re-published');

  // A retained request: answered once when published (live), ignored when the broker replays
  // it to the agent's new subscription after a reconnect.
  await fac.client.publishAsync(`${root}/request/ping`, JSON.stringify({ transaction: 'retained-1' }), { qos: 1, retain: true });
  await waitFor(() => responses().some((r) => r.json['transaction'] === 'retained-1'), 5000, 'live answer');
  const connects = agent.stack.composed.uplink.stats.connects;
  t.equal(agent.stack.broker?.dropConnections('liftwatch-gw1'), 1, 'agent connection cut');
  await waitFor(() => agent.stack.composed.uplink.stats.connects > connects, 10_000, 'agent reconnected');
  await waitFor(() => agent.stack.composed.requests.stats.ignoredRetained >= 1, 5000, 'replay ignored');
  t.equal(responses().filter((r) => r.json['transaction'] === 'retained-1').length, 1, 'answered exactly once');
  t.match(agent.logger.lines.join('\n'), /ignoring a retained request/);
  await fac.client.publishAsync(`${root}/request/ping`, '', { qos: 1, retain: true }); // clear it
});

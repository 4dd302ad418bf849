/**
 * MQTT 3.1.1 and 5 against mosquitto (Debian), with the real agent: birth with the session,
 * retained lift state, events, and request/response. With MQTT 5 a request carrying a response
 * topic and correlation data is answered there, with the same correlation data ([MQTT-4.10.0]);
 * without them it is answered on <root>/response/<op>.
 */
import t from 'tap';
import { facilityClient, startAgent } from './contract-helpers.js';
import { missingTools, startMosquitto } from './mosquitto-helpers.js';
import { tempDir, waitFor } from './uplink-helpers.js';

const skip = missingTools('mosquitto');

for (const protocolVersion of [4, 5] as const) {
  void t.test(`MQTT ${protocolVersion === 4 ? '3.1.1' : '5'}: the agent against mosquitto`, { skip: skip ?? false }, async (t) => {
    const { dir, cleanup } = tempDir();
    t.teardown(cleanup);
    const broker = await startMosquitto(dir);
    t.teardown(() => broker.stop());
    const agent = await startAgent(dir, { externalBrokerPort: broker.port, protocolVersion });
    t.teardown(() => agent.stop());
    const { root } = agent;
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const fac = await facilityClient(url, [`${root}/#`], { protocolVersion });
    t.teardown(() => fac.close());
    const on = (topic: string) => fac.got.filter((m) => m.topic === topic);

    await waitFor(() => on(`${root}/status`).length > 0 && on(`${root}/lift/A/state`).length > 0, 5000, 'retained status and state');
    t.match(on(`${root}/status`)[0], { retain: true, json: { state: 'online', session: agent.stack.composed.session } });
    t.match(on(`${root}/lift/A/state`)[0], { retain: true, json: { schema: 'liftwatch.state/1', liftId: 'A' } });

    // Plain request/response (both versions).
    await fac.client.publishAsync(`${root}/request/ping`, JSON.stringify({ transaction: `p${protocolVersion}` }), { qos: 1 });
    await waitFor(() => on(`${root}/response/ping`).length > 0, 5000, 'ping response');
    t.match(on(`${root}/response/ping`)[0]?.json, { ok: true, transaction: `p${protocolVersion}`, data: { pong: true } });

    // An event through mosquitto.
    agent.stack.simulator?.lift(1).inject({ kind: 'alarm-button', durationMs: 1500 });
    await waitFor(() => on(`${root}/lift/A/event`).some((m) => m.json['code'] === 'PASSENGER_TRAPPED'), 10_000, 'event');
    t.equal(on(`${root}/lift/A/event`)[0]?.retain, false);

    if (protocolVersion === 5) {
      const replyTo = `facility/replies/${Math.random().toString(16).slice(2)}`;
      const corr = Buffer.from([0xca, 0xfe, 0x00, 0x01]);
      const replies = await facilityClient(url, [replyTo], { protocolVersion: 5 });
      t.teardown(() => replies.close());
      const before = on(`${root}/response/ping`).length;
      await fac.client.publishAsync(`${root}/request/ping`, JSON.stringify({ transaction: 'v5' }), {
        qos: 1,
        properties: { responseTopic: replyTo, correlationData: corr },
      });
      await waitFor(() => replies.got.length > 0, 5000, 'reply on the response topic');
      t.match(replies.got[0]?.json, { ok: true, op: 'ping', transaction: 'v5' });
      t.same(replies.got[0]?.correlationData, corr, 'correlation data echoed');
      // An error answer goes the same way.
      await fac.client.publishAsync(`${root}/request/nope`, '{}', { qos: 1, properties: { responseTopic: replyTo, correlationData: corr } });
      await waitFor(() => replies.got.length > 1, 5000, 'error reply');
      t.match(replies.got[1], { json: { ok: false, error: { code: 'UNKNOWN_OP' } }, correlationData: corr });
      t.equal(on(`${root}/response/ping`).length, before, 'not also on <root>/response/ping');
    }
  });
}

void t.test('mosquitto: the will carries the session; birth and state return on reconnect', { skip: skip ?? false }, async (t) => {
  // zigbee2mqtt #4854 / #3625: stale retained online/offline. The connection is cut by a relay,
  // as a network failure would: mosquitto publishes the will; the agent reconnects and is online again.
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const broker = await startMosquitto(dir);
  t.teardown(() => broker.stop());
  const { cuttableRelay } = await import('./mosquitto-helpers.js');
  const relay = await cuttableRelay(broker.port);
  t.teardown(() => relay.stop());
  const agent = await startAgent(dir, { externalBrokerPort: relay.port, protocolVersion: 5 });
  t.teardown(() => agent.stop());
  const { root } = agent;
  const fac = await facilityClient(`mqtt://127.0.0.1:${broker.port}`, [`${root}/status`, `${root}/lift/+/state`], { protocolVersion: 5 });
  t.teardown(() => fac.close());
  const statuses = () => fac.got.filter((m) => m.topic === `${root}/status`).map((m) => m.json);
  const session = agent.stack.composed.session;
  await waitFor(() => statuses().some((s) => s['state'] === 'online'), 5000, 'birth');

  t.ok(relay.cut() >= 1, 'connection cut without DISCONNECT');
  await waitFor(() => statuses().some((s) => s['state'] === 'offline'), 10_000, 'will');
  t.match(statuses().find((s) => s['state'] === 'offline'), { session }, 'the will carries the session');
  const states = fac.got.filter((m) => m.topic.endsWith('/state')).length;
  await waitFor(() => statuses().at(-1)?.['state'] === 'online', 10_000, 'online again');
  t.match(statuses().at(-1), { session }, 'same session after a reconnect (same process)');
  await waitFor(() => fac.got.filter((m) => m.topic.endsWith('/state')).length > states, 5000, 'state re-published');
  const late = await facilityClient(`mqtt://127.0.0.1:${broker.port}`, [`${root}/status`], { protocolVersion: 5 });
  t.teardown(() => late.close());
  await waitFor(() => late.got.length > 0, 5000, 'retained status');
  t.match(late.got[0], { retain: true, json: { state: 'online', session } }, 'the retained status is online, not the stale will');
});

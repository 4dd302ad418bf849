import t from 'tap';
import mqtt from 'mqtt';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { captureLogger, subscriber, waitFor } from './uplink-helpers.js';

void t.test('starts on an ephemeral loopback port, routes QoS 1, stops cleanly', async (t) => {
  const logger = captureLogger();
  const broker = new EmbeddedBroker({ port: 0, logger });
  const { port } = await broker.start();
  t.ok(port > 0, 'ephemeral port assigned');
  t.match(logger.lines.join('\n'), /"host":"127.0.0.1"/, 'binds loopback by default');
  t.same(await broker.start(), { port }, 'start is idempotent');

  const sub = await subscriber(port, 'a/#');
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  await pub.publishAsync('a/b', JSON.stringify({ n: 1 }), { qos: 1 });
  await waitFor(() => sub.got.length === 1);
  t.same(sub.got[0]?.json, { n: 1 });

  await broker.stop();
  await waitFor(() => !pub.connected && !sub.client.connected, 5000, 'clients cut');
  await pub.endAsync(true);
  await sub.close();
  await t.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 }), 'nothing listens after stop');

  // The same port can be reused at once (restart in place).
  const again = new EmbeddedBroker({ port, logger });
  t.same(await again.start(), { port });
  await again.stop();
  await again.stop(); // idempotent
});

void t.test('admission policy and dropConnections', async (t) => {
  const seen: Array<{ clientId: string; username?: string; password?: string }> = [];
  const broker = new EmbeddedBroker({
    port: 0,
    logger: captureLogger(),
    admit: (c) => {
      seen.push({ clientId: c.clientId, ...(c.username ? { username: c.username } : {}), ...(c.password ? { password: c.password.toString() } : {}) });
      return c.clientId !== 'intruder';
    },
  });
  const { port } = await broker.start();
  t.teardown(() => broker.stop());
  await t.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'intruder', reconnectPeriod: 0, connectTimeout: 2000 }));
  const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'friend', username: 'u', password: 'p', reconnectPeriod: 0 });
  t.ok(ok.connected);
  t.same(seen.at(-1), { clientId: 'friend', username: 'u', password: 'p' });
  const closed = new Promise<void>((r) => ok.once('close', () => r()));
  t.equal(broker.dropConnections(), 1);
  await closed;
  await ok.endAsync(true);
});

void t.test('start fails on a port in use', async (t) => {
  const a = new EmbeddedBroker({ port: 0, logger: captureLogger() });
  const { port } = await a.start();
  t.teardown(() => a.stop());
  const b = new EmbeddedBroker({ port, logger: captureLogger() });
  await t.rejects(b.start(), { code: 'EADDRINUSE' });
  await b.stop();
});

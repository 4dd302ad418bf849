/**
 * Footprint: the uplink's MQTT client does not build mqtt-packet's cache of 65,536
 * message-id Buffers (6.3 MB of heap for the life of the process), and QoS 1 publishing still
 * works without it (each id is encoded when written).
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { clientOptions } from '../src/uplink/client-options.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { captureLogger, subscriber, uplinkConfig, waitFor } from './uplink-helpers.js';

// The mqtt-packet that mqtt.js itself loads.
const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt/package.json'));
const numbers = fromMqtt('mqtt-packet/numbers.js') as { cache: Record<number, Buffer> };

void t.test('client options turn the number cache off', async (t) => {
  const o = clientOptions(uplinkConfig(1883), { clientId: 'c', connectTimeoutMs: 1000, will: { topic: 'w', payload: {} } });
  t.equal(o.writeCache, false);
});

void t.test('QoS 1 publishes go through and the id cache stays empty', async (t) => {
  const broker = new EmbeddedBroker({ port: 0, logger: captureLogger() });
  const { port } = await broker.start();
  t.teardown(() => broker.stop());
  const uplink = new MqttUplink({
    config: uplinkConfig(port),
    statusTopic: 'fp/status',
    status: (state) => ({ schema: 'liftwatch.status/1', state }),
    logger: captureLogger(),
  });
  t.teardown(() => uplink.stop());
  uplink.start();
  await waitFor(() => uplink.connected, 5000, 'connected');
  // The cache is module state shared by every client in the process, built on the first write
  // of any client that leaves writeCache on (as the helper's subscriber does): the uplink's
  // client must be the first one here, as it is in the agent.
  const sub = await subscriber(port, 'fp/#');
  t.teardown(() => sub.close());
  for (let i = 0; i < 5; i++) await uplink.publish(`fp/x/${i}`, { i });
  await waitFor(() => sub.got.filter((m) => m.topic.startsWith('fp/x/')).length === 5, 5000, 'five messages');
  t.equal(Object.keys(numbers.cache).length, 0, 'no pre-generated message-id Buffers');
});

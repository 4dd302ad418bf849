/**
 * mqtt.js keeps unacknowledged and offline publishes in memory only, and QoS 1 is not durability:
 * the dispatcher must record a delivery only on a real PUBACK, and a restart must resend.
 */
import t from 'tap';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { alarmEvent, captureLogger, freePort, sleep, subscriber, tempDir, testGateway, waitFor } from './uplink-helpers.js';

/** A "broker" that accepts the connection (CONNACK 0) and never acknowledges a publish. */
async function blackHoleBroker(port: number) {
  const sockets = new Set<Socket>();
  let publishes = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('data', (d) => {
      if (d[0] === 0x10) s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT -> CONNACK accepted
      for (const b of d) if (b >> 4 === 3) publishes++; // rough count of PUBLISH headers
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    sawPublishes: () => publishes > 0,
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

void t.test('no PUBACK, no delivery: a restart resends from the store', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const port = await freePort();
  const file = join(dir, 'o.db');
  const hole = await blackHoleBroker(port);
  const gw = testGateway({ port, file, logger: captureLogger(), uplink: { inflight: 3 } });
  gw.start();
  await waitFor(() => gw.uplink.connected, 5000, 'connected to the black hole');
  const stored = gw.append([1, 2, 3, 4, 5].map(() => alarmEvent()));
  await waitFor(() => gw.dispatcher.stats.published === 3, 5000, 'window filled');
  await sleep(300);
  t.ok(hole.sawPublishes(), 'publishes reached the wire');
  t.equal(gw.dispatcher.stats.published, 3, 'no more than `inflight` awaiting PUBACK');
  t.equal(gw.dispatcher.stats.acked, 0);
  t.equal(gw.outbox.stats().pending, 5, 'nothing marked delivered without a PUBACK');

  // The connection dies with publishes in mqtt.js's memory: they fail, the store keeps them.
  await hole.stop();
  await waitFor(() => !gw.uplink.connected, 5000, 'disconnected');
  t.equal(gw.dispatcher.stats.failed, 3, 'in-flight publishes rejected on close');
  await t.rejects(gw.uplink.publish('x/y', {}), { code: 'UPLINK_NOT_CONNECTED' }, 'no offline queueing');
  t.equal(gw.outbox.stats().pending, 5);
  await gw.stop(); // the "process" ends here

  // A new process over the same file delivers everything to a real broker.
  let open = false;
  const broker = new EmbeddedBroker({ port, logger: captureLogger(), admit: (c) => open || c.clientId.startsWith('sub-') });
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await subscriber(port, 'liftwatch/+/+/lift/+/event');
  t.teardown(() => sub.close());
  open = true;
  const gw2 = testGateway({ port, file, logger: captureLogger() });
  t.teardown(() => gw2.stop());
  gw2.start();
  await waitFor(() => sub.got.length >= 5, 10_000, 'resent events');
  t.same(sub.got.map((m) => m.json['eventId']), stored.map((e) => e.eventId), 'same eventIds, in order');
  t.ok(sub.got.every((m) => m.json['historical'] === true));
  await waitFor(() => gw2.outbox.stats().pending === 0, 5000, 'marked delivered after PUBACK');
  t.ok(gw2.dispatcher.stats.lastPubackAt !== null);
});

void t.test('supervisor: a connection that goes silent (no PUBACK, no PINGRESP) is rebuilt', async (t) => {
  // thingsboard-gateway #2086: a client alive on paper, stuck for good. Keep-alive is long
  // (mqtt.js would not notice for a minute); the supervisor's stall limit is 300 ms.
  const port = await freePort();
  const hole = await blackHoleBroker(port);
  t.teardown(() => hole.stop());
  const logger = captureLogger();
  const { MqttUplink } = await import('../src/uplink/mqtt-uplink.js');
  const { uplinkConfig } = await import('./uplink-helpers.js');
  const uplink = new MqttUplink({
    config: uplinkConfig(port, { keepaliveSec: 60, reconnectMinMs: 20, reconnectMaxMs: 40 }),
    statusTopic: 'liftwatch/s/g/status',
    status: (state) => ({ state }),
    logger,
    stall: { stallMs: 300 },
    stopTimeoutMs: 100,
  });
  t.teardown(() => uplink.stop());
  uplink.start();
  await waitFor(() => uplink.stats.rebuilds >= 2, 10_000, 'rebuilt twice');
  t.ok(uplink.stats.connects >= 2, 'each rebuild connects again');
  t.match(logger.lines.join('\n'), /made no progress; rebuilding it.*no-traffic/);
});

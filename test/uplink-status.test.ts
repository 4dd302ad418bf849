/**
 * Retained status and state (zigbee2mqtt #4854, #3625: stale retained online/offline after a
 * broker restart): birth on every connect, will on a dead connection, offline on a clean stop.
 */
import t from 'tap';
import { join } from 'node:path';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { captureLogger, freePort, ROOT, subscriber, tempDir, testGateway, waitFor } from './uplink-helpers.js';
import type { Received } from './uplink-helpers.js';

const STATUS = `${ROOT}/status`;
const STATE_L1 = `${ROOT}/lift/L1/state`;
const statuses = (got: Received[]) => got.filter((m) => m.topic === STATUS).map((m) => m.json);

void t.test('birth, re-birth after broker restart, will, clean stop', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const port = await freePort();
  let broker = new EmbeddedBroker({ port, logger: captureLogger() });
  await broker.start();
  t.teardown(() => broker.stop());
  const sub = await subscriber(port, `${ROOT}/#`);
  t.teardown(() => sub.close());
  const gw = testGateway({ port, file: join(dir, 'o.db'), logger: captureLogger(), uplink: { reconnectMinMs: 100, reconnectMaxMs: 300 } });
  t.teardown(() => gw.stop());
  gw.publishState('L1'); // remembered before the first connect
  gw.start();
  await waitFor(() => statuses(sub.got).length >= 1 && sub.got.some((m) => m.topic === STATE_L1), 5000, 'birth and state');
  t.match(statuses(sub.got)[0], { schema: 'liftwatch.status/1', state: 'online', session: gw.session, gatewayId: 'gw1', site: { id: 'site1' } });
  t.ok(gw.session >= 1);
  t.ok(
    sub.got.findIndex((m) => m.topic === STATUS) < sub.got.findIndex((m) => m.topic === STATE_L1),
    'birth before state',
  );

  // Broker restart: aedes forgets retained messages; the uplink must publish them again.
  await broker.stop();
  broker = new EmbeddedBroker({ port, logger: captureLogger() });
  await broker.start();
  await waitFor(() => gw.uplink.stats.connects >= 2, 10_000, 'reconnect');
  await waitFor(() => statuses(sub.got).filter((s) => s['state'] === 'online').length >= 2, 5000, 'second birth');
  const late = await subscriber(port, `${ROOT}/#`); // joins after: sees only what is retained
  t.teardown(() => late.close());
  await waitFor(() => late.got.length >= 2, 5000, 'retained status and state');
  t.match(late.got.find((m) => m.topic === STATUS), { retain: true, json: { state: 'online', session: gw.session } }, 'retained online again');
  t.match(late.got.find((m) => m.topic === STATE_L1), { retain: true, json: { schema: 'liftwatch.state/1', lift: { id: 'L1', label: 'Lift 1' }, floor: '1' } });

  // A dead connection (no DISCONNECT): the broker publishes the will, same session.
  const before = statuses(late.got).length;
  t.equal(broker.dropConnections('liftwatch-gw1'), 1);
  await waitFor(() => statuses(late.got).length > before, 5000, 'will');
  t.match(statuses(late.got)[before], { state: 'offline', session: gw.session }, 'will is offline with the session');
  await waitFor(() => statuses(late.got).at(-1)?.['state'] === 'online', 10_000, 'back online after reconnect');

  // Clean stop: offline published retained, and no will afterwards.
  await gw.stop();
  await waitFor(() => statuses(late.got).at(-1)?.['state'] === 'offline', 5000, 'offline on stop');
  const third = await subscriber(port, STATUS);
  t.teardown(() => third.close());
  await waitFor(() => third.got.length >= 1, 5000, 'retained offline');
  t.match(third.got[0], { retain: true, json: { state: 'offline', session: gw.session } });
});

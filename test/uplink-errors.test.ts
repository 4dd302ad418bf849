/**
 * start() never throws for broker or credential problems (thingsboard-gateway #2086: supervise
 * the client, keep retrying), and the password never reaches a log line.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { reconnectDelay } from '../src/uplink/backoff.js';
import { captureLogger, freePort, sleep, tempDir, uplinkConfig, waitFor } from './uplink-helpers.js';

const SECRET = 'pa55-Wörd-7c1e9b';
const URL_SECRET = 'urlSecret-93ad';

const status = (state: 'online' | 'offline') => ({ schema: 'liftwatch.status/1', state });

void t.test('missing password file and unreachable broker: no throw, retries, then connects', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const port = await freePort();
  const logger = captureLogger();
  const passwordFile = join(dir, 'password');
  const uplink = new MqttUplink({
    config: uplinkConfig(port, { url: `mqtt://gw:${URL_SECRET}@127.0.0.1:${port}`, username: 'gw', passwordFile, reconnectMinMs: 20, reconnectMaxMs: 40 }),
    statusTopic: 'liftwatch/s/g/status',
    status,
    logger,
  });
  t.teardown(() => uplink.stop());
  t.doesNotThrow(() => uplink.start(), 'missing password file');
  await waitFor(() => uplink.stats.connectAttempts >= 3, 5000, 'retries');
  t.notOk(uplink.connected);
  t.match(logger.lines.join('\n'), /cannot read password file .*password \(ENOENT\)/, 'names the file and errno');

  // The file appears (deployed late); the broker is still down: connection refused, no throw.
  writeFileSync(passwordFile, `${SECRET}\n`);
  await waitFor(() => logger.lines.some((l) => l.includes('ECONNREFUSED')), 5000, 'refused logged');

  // The broker comes up and checks the password the uplink sends.
  const seen: string[] = [];
  const broker = new EmbeddedBroker({
    port,
    logger: captureLogger(),
    admit: (c) => {
      seen.push(c.password?.toString() ?? '');
      return c.username === 'gw' && c.password?.toString() === SECRET;
    },
  });
  await broker.start();
  t.teardown(() => broker.stop());
  await waitFor(() => uplink.connected, 5000, 'connected');
  t.equal(seen.at(-1), SECRET, 'password read from the file, trailing newline dropped');
  await uplink.stop();
  await sleep(20);

  const all = logger.lines.join('\n');
  t.notMatch(all, SECRET, 'password never logged');
  t.notMatch(all, URL_SECRET, 'URL password never logged');
  t.match(all, /HIDDEN/, 'the URL is logged redacted');
});

void t.test('a refused password keeps retrying without throwing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, SECRET);
  const broker = new EmbeddedBroker({ port: 0, logger: captureLogger(), admit: () => false });
  const { port } = await broker.start();
  t.teardown(() => broker.stop());
  const logger = captureLogger();
  const uplink = new MqttUplink({
    config: uplinkConfig(port, { username: 'gw', passwordFile, reconnectMinMs: 20, reconnectMaxMs: 40 }),
    statusTopic: 'liftwatch/s/g/status',
    status,
    logger,
  });
  uplink.start();
  await waitFor(() => uplink.stats.connectAttempts >= 3, 5000, 'retries after CONNACK refusal');
  t.notOk(uplink.connected);
  await uplink.stop();
  t.notMatch(logger.lines.join('\n'), SECRET);
  t.match(logger.lines.join('\n'), /Not authorized|not authorized/i);
});

void t.test('unparseable URL and unreadable TLS files do not throw', async (t) => {
  const logger = captureLogger();
  const uplink = new MqttUplink({
    config: uplinkConfig(1, { url: 'mqtts://127.0.0.1:1', tls: { ca: '/nonexistent/ca.pem', rejectUnauthorized: true }, reconnectMinMs: 10, reconnectMaxMs: 20 }),
    statusTopic: 's',
    status,
    logger,
  });
  t.doesNotThrow(() => uplink.start());
  await waitFor(() => uplink.stats.connectAttempts >= 2, 5000);
  await uplink.stop();
  t.match(logger.lines.join('\n'), /TLS CA file \/nonexistent\/ca.pem/);
  const bad = new MqttUplink({ config: uplinkConfig(1, { url: 'nonsense', reconnectMinMs: 10, reconnectMaxMs: 20 }), statusTopic: 's', status, logger });
  t.doesNotThrow(() => bad.start());
  await sleep(30);
  await bad.stop();
});

void t.test('reconnect backoff grows from min to max with bounded jitter', async (t) => {
  t.equal(reconnectDelay(0, 1000, 60_000, () => 0), 1000);
  t.equal(reconnectDelay(1, 1000, 60_000, () => 0), 2000);
  t.equal(reconnectDelay(10, 1000, 60_000, () => 0), 60_000);
  t.equal(reconnectDelay(1000, 1000, 60_000, () => 0.999), Math.round(60_000 * 1.1998));
  t.equal(reconnectDelay(0, 1000, 60_000, () => 0.5), 1100);
});

void t.test('supervisor: a broker that accepts TCP and never answers CONNECT is given up on', async (t) => {
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined); // reads the CONNECT, answers nothing
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const logger = captureLogger();
  const uplink = new MqttUplink({
    config: uplinkConfig(port, { reconnectMinMs: 20, reconnectMaxMs: 40 }),
    statusTopic: 's',
    status,
    logger,
    connectTimeoutMs: 60_000, // mqtt.js's own CONNACK timer out of the way
    stall: { connectMs: 300 },
  });
  uplink.start();
  await waitFor(() => uplink.stats.rebuilds >= 2 && accepted >= 3, 10_000, 'rebuilt and reconnected');
  t.notOk(uplink.connected);
  t.equal(uplink.stats.connects, 0);
  t.match(logger.lines.join('\n'), /connect-timeout/);
  await uplink.stop();
  await waitFor(() => [...sockets].every((s) => s.destroyed || s.readableEnded), 5000, 'abandoned sockets closed').catch(() => undefined);
});

void t.test('stall rule (pure)', async (t) => {
  const { stallVerdict, defaultStallLimits, checkEveryMs } = await import('../src/uplink/supervisor.js');
  const limits = defaultStallLimits(30, 15_000);
  t.same(limits, { connectMs: 20_000, stallMs: 65_000 });
  t.equal(stallVerdict({ phase: 'connecting', attemptStartedAt: 0, lastPacketInAt: 0 }, 20_000, limits), null);
  t.equal(stallVerdict({ phase: 'connecting', attemptStartedAt: 0, lastPacketInAt: 0 }, 20_001, limits), 'connect-timeout');
  t.equal(stallVerdict({ phase: 'connected', attemptStartedAt: 0, lastPacketInAt: 10_000 }, 75_000, limits), null);
  t.equal(stallVerdict({ phase: 'connected', attemptStartedAt: 0, lastPacketInAt: 10_000 }, 75_001, limits), 'no-traffic');
  t.equal(stallVerdict({ phase: 'idle', attemptStartedAt: 0, lastPacketInAt: 0 }, 1e9, limits), null);
  t.equal(checkEveryMs(limits), 5000);
  t.equal(checkEveryMs({ connectMs: 100, stallMs: 100 }), 50);
  t.equal(defaultStallLimits(0, 1000).stallMs, Number.POSITIVE_INFINITY, 'keep-alive off: no traffic rule');
});

/**
 * The embedded broker binds to loopback by default and requires credentials when bound
 * elsewhere (without them, anyone on the network could read the alarms and send requests): refused by the config schema (naming broker.host) and, as a
 * second line, by the broker itself.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseConfig } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { brokerCredentials, isLoopback } from '../src/broker/credentials.js';
import { captureLogger, tempDir } from './uplink-helpers.js';

const base = (broker: string) => `
site: { id: s1, name: S }
gateway: { id: gw1 }
buses: [{ id: b, type: modbus-tcp, host: 127.0.0.1, port: 5020 }]
lifts: [{ id: A, bus: b, unitId: 1, profile: liftwatch-sim, landings: ["0", "1"] }]
uplink: { url: "mqtt://127.0.0.1:1883" }
broker: ${broker}
`;

void t.test('config: a broker bound beyond loopback needs username and passwordFile', async (t) => {
  t.equal(parseConfig(base('{ enabled: true }'), 'c.yaml').broker.host, '127.0.0.1', 'loopback by default');
  t.doesNotThrow(() => parseConfig(base('{ enabled: true, host: "::1" }'), 'c.yaml'));
  t.doesNotThrow(() => parseConfig(base('{ enabled: false, host: 0.0.0.0 }'), 'c.yaml'), 'disabled: no rule');
  t.doesNotThrow(() => parseConfig(base('{ enabled: true, host: 0.0.0.0, username: gw, passwordFile: /etc/liftwatch/broker.pw }'), 'c.yaml'));
  for (const broker of ['{ enabled: true, host: 0.0.0.0 }', '{ enabled: true, host: 192.168.1.10, username: gw }']) {
    try {
      parseConfig(base(broker), 'c.yaml');
      t.fail(`accepted ${broker}`);
    } catch (err) {
      t.ok(err instanceof ConfigError, 'a ConfigError');
      const problems = (err as ConfigError).problems;
      t.match(problems, [{ path: 'broker.host', message: /127\.0\.0\.1/ }], `names broker.host for ${broker}`);
    }
  }
});

void t.test('broker: refuses to listen beyond loopback without credentials, checks them when given', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  t.ok(isLoopback('127.0.0.1') && isLoopback('127.1.2.3') && isLoopback('::1') && isLoopback('localhost'));
  t.notOk(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('10.0.0.1'));
  const open = new EmbeddedBroker({ host: '0.0.0.0', port: 0, logger: captureLogger() });
  await t.rejects(open.start(), { code: 'BROKER_CREDENTIALS_REQUIRED', message: /broker\.host 0\.0\.0\.0/ });

  t.throws(() => brokerCredentials({ username: 'gw', passwordFile: join(dir, 'missing') }), { code: 'BROKER_PASSWORD_FILE' });
  const pw = join(dir, 'broker.pw');
  writeFileSync(pw, 'br0ker-Secret\n');
  const creds = brokerCredentials({ username: 'gw', passwordFile: pw });
  t.equal(brokerCredentials({}), null);
  const logger = captureLogger();
  const broker = new EmbeddedBroker({ host: '0.0.0.0', port: 0, logger, credentials: creds });
  const { port } = await broker.start();
  t.teardown(() => broker.stop());
  const tryConnect = (o: { username?: string; password?: string }) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 3000, ...o }).then(
      async (c) => {
        await c.endAsync(true);
        return true;
      },
      () => false,
    );
  t.equal(await tryConnect({}), false, 'anonymous refused');
  t.equal(await tryConnect({ username: 'gw', password: 'wrong' }), false, 'wrong password refused');
  t.equal(await tryConnect({ username: 'other', password: 'br0ker-Secret' }), false, 'wrong user refused');
  t.equal(await tryConnect({ username: 'gw', password: 'br0ker-Secret' }), true, 'right credentials admitted');
  t.notMatch(logger.lines.join('\n'), 'br0ker-Secret', 'password never logged');
});

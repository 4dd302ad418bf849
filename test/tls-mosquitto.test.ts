/**
 * Security against a real broker: mosquitto with certificates made by openssl in
 * the test. mqtts:// verifies the broker by default; a broker whose certificate was signed by
 * another CA is refused; mutual TLS with a client certificate; a username with the password
 * read from a file. The uplink never throws, keeps retrying, and never logs the password.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UplinkConfig } from '../src/config/types.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { makePki, missingTools, startMosquitto, which } from './mosquitto-helpers.js';
import { captureLogger, tempDir, uplinkConfig, waitFor } from './uplink-helpers.js';

const skip = missingTools('mosquitto', 'openssl', 'mosquitto_passwd');
const SECRET = 'tls-Pa55-5e1f';

/** The assertions the helpers use (structural: any tap Test has them). */
interface Asserts {
  pass(msg: string): void;
  notOk(v: unknown, msg: string): void;
  doesNotThrow(fn: () => void, msg: string): void;
}

function uplinkFor(port: number, over: Partial<UplinkConfig>) {
  const logger = captureLogger();
  const uplink = new MqttUplink({
    config: uplinkConfig(port, { url: `mqtts://127.0.0.1:${port}`, reconnectMinMs: 50, reconnectMaxMs: 100, ...over }),
    statusTopic: 'liftwatch/site1/gw1/status',
    status: (state) => ({ schema: 'liftwatch.status/1', state }),
    logger,
    stopTimeoutMs: 500,
  });
  return { uplink, logger };
}

/** Connects, publishes one QoS 1 message (PUBACK proves the session works), stops. */
async function mustConnect(t: Asserts, port: number, over: Partial<UplinkConfig>, what: string): Promise<string> {
  const { uplink, logger } = uplinkFor(port, over);
  uplink.start();
  try {
    await waitFor(() => uplink.connected, 10_000, what);
    await uplink.publish('liftwatch/site1/gw1/probe', { ok: true });
    t.pass(what);
  } finally {
    await uplink.stop();
  }
  return logger.lines.join('\n');
}

/** Tries several times and never connects; returns the log. */
async function mustRefuse(t: Asserts, port: number, over: Partial<UplinkConfig>, what: string): Promise<string> {
  const { uplink, logger } = uplinkFor(port, over);
  let everConnected = false;
  uplink.on('connect', () => (everConnected = true));
  t.doesNotThrow(() => uplink.start(), `${what}: start does not throw`);
  await waitFor(() => uplink.stats.connectAttempts >= 3, 15_000, `${what}: retries`);
  await uplink.stop();
  t.notOk(everConnected, what);
  return logger.lines.join('\n');
}


void t.test('TLS, mutual TLS and password file against mosquitto', { skip: skip ?? false }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const pki = makePki(dir);
  const passwordFile = join(dir, 'gw.password');
  writeFileSync(passwordFile, `${SECRET}\n`);
  const brokerPasswords = join(dir, 'mosquitto.passwd');
  execFileSync(which('mosquitto_passwd') ?? 'mosquitto_passwd', ['-b', '-c', brokerPasswords, 'gw1', SECRET]);

  // Server-authenticated TLS, clients authenticate with username + password.
  const tls = await startMosquitto(dir, ['allow_anonymous false', `password_file ${brokerPasswords}`, `cafile ${pki.ca}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`]);
  t.teardown(() => tls.stop());
  const creds = { username: 'gw1', passwordFile };
  const log = await mustConnect(t, tls.port, { ...creds, tls: { ca: pki.ca, rejectUnauthorized: true } }, 'trusted CA + password file: connected');
  t.notMatch(log, SECRET, 'password never logged');

  const otherCaLog = await mustRefuse(t, tls.port, { ...creds, tls: { ca: pki.otherCa, rejectUnauthorized: true } }, 'broker not signed by the configured CA: refused');
  t.match(otherCaLog, /certificate|UNABLE_TO_VERIFY|SELF_SIGNED/i, 'the reason is the certificate');
  await mustRefuse(t, tls.port, { ...creds }, 'no CA configured: verified against the system CAs by default, refused');
  await mustRefuse(t, tls.port, { username: 'gw1', passwordFile: join(dir, 'nope'), tls: { ca: pki.ca, rejectUnauthorized: true } }, 'unreadable password file: refused, no throw');
  const wrong = join(dir, 'wrong.password');
  writeFileSync(wrong, 'wrong');
  await mustRefuse(t, tls.port, { username: 'gw1', passwordFile: wrong, tls: { ca: pki.ca, rejectUnauthorized: true } }, 'wrong password: refused');

  // A broker presenting a certificate from another CA, while the gateway trusts ours.
  const impostor = await startMosquitto(dir, [`certfile ${pki.otherServerCert}`, `keyfile ${pki.otherServerKey}`, 'allow_anonymous true']);
  t.teardown(() => impostor.stop());
  await mustRefuse(t, impostor.port, { tls: { ca: pki.ca, rejectUnauthorized: true } }, 'server signed by another CA: refused');

  // Mutual TLS: the broker requires a client certificate signed by its CA.
  const mtls = await startMosquitto(dir, [
    'allow_anonymous true',
    `cafile ${pki.ca}`,
    `certfile ${pki.serverCert}`,
    `keyfile ${pki.serverKey}`,
    'require_certificate true',
    'use_identity_as_username true',
  ]);
  t.teardown(() => mtls.stop());
  await mustConnect(t, mtls.port, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, rejectUnauthorized: true } }, 'mutual TLS with a client certificate: connected');
  await mustRefuse(t, mtls.port, { tls: { ca: pki.ca, rejectUnauthorized: true } }, 'mutual TLS without a client certificate: refused');
  await mustConnect(t, mtls.port, { protocolVersion: 5, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, rejectUnauthorized: true } }, 'mutual TLS over MQTT 5: connected');
});

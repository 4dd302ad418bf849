/**
 * Broker checks for `liftwatch commission`: connect exactly as the uplink does (same URL, TLS
 * material and credentials files, MQTT version) under a separate client id, so the agent's own
 * session is never kicked off; then watch our own subscription for the test event.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { UplinkConfig } from '../../config/types.js';
import { connectUrl, readSecrets, redactUrl } from '../../uplink/credentials.js';
import { fail, pass, type StepResult } from './commission-checks.js';

export interface BrokerSession {
  client: MqttClient;
  seen: Array<{ topic: string; payload: string }>;
  close(): Promise<void>;
}

export async function connectBroker(config: UplinkConfig, timeoutMs: number): Promise<{ step: StepResult; session: BrokerSession | null }> {
  const where = redactUrl(config.url);
  let o: IClientOptions;
  try {
    const secrets = readSecrets(config);
    o = {
      clientId: `${config.clientId ?? 'liftwatch'}-commission-${randomUUID().slice(0, 6)}`,
      protocolVersion: config.protocolVersion,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
    };
    if (config.username !== undefined) o.username = config.username;
    if (secrets.password !== undefined) o.password = secrets.password;
    if (secrets.ca !== undefined) o.ca = secrets.ca;
    if (secrets.cert !== undefined) o.cert = secrets.cert;
    if (secrets.key !== undefined) o.key = secrets.key;
  } catch (err) {
    return { step: fail('broker-reachable', (err as Error).message, 'make the credentials/TLS files named under uplink readable by the service user'), session: null };
  }
  const client = mqtt.connect(connectUrl(config), o);
  const seen: BrokerSession['seen'] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  const outcome = await new Promise<Error | null>((resolve) => {
    const timer = setTimeout(() => resolve(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(null);
    });
    client.once('error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
  const close = () => client.endAsync(true).then(() => undefined, () => undefined);
  if (outcome) {
    await close();
    const tls = config.url.startsWith('mqtts:') ? ', the CA file (uplink.tls.ca) and the broker certificate name' : '';
    return { step: fail('broker-reachable', `${where}: ${outcome.message}`, `check the URL, the firewall, the user name and password file${tls}`), session: null };
  }
  return { step: pass('broker-reachable', `${where}: connected${config.url.startsWith('mqtts:') ? ' over TLS, certificate verified' : ''}${config.username ? ` as ${config.username}` : ''}`), session: { client, seen, close } };
}

export async function waitSeen(s: BrokerSession, match: (m: { topic: string; payload: string }) => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (s.seen.some(match)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return s.seen.some(match);
}

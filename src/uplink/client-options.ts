/**
 * The mqtt.js options of one connection attempt, built fresh each time so a rotated password
 * or certificate file is picked up and the will carries the current session.
 */
import type { IClientOptions } from 'mqtt';
import type { UplinkConfig } from '../config/types.js';
import { readSecrets } from './credentials.js';
import type { Clock } from '../ports/clock.js';

export function clientOptions(
  config: UplinkConfig,
  o: { clientId: string; connectTimeoutMs: number; will: { topic: string; payload: Record<string, unknown> } },
): IClientOptions {
  const secrets = readSecrets(config); // throws UPLINK_CREDENTIALS, caught by the caller
  const opts: IClientOptions = {
    clientId: o.clientId,
    protocolVersion: config.protocolVersion,
    keepalive: config.keepaliveSec,
    clean: true, // durability is the outbox's job, not a broker session's
    reconnectPeriod: 0, // the uplink supervises reconnects itself, with backoff
    connectTimeout: o.connectTimeoutMs,
    resubscribe: false, // the uplink subscribes again on every connect
    queueQoSZero: false,
    // No number cache: mqtt-packet otherwise pre-builds a 2-byte Buffer for every message id
    // (65,536 of them, 6.3 MB of V8 heap for as long as the process lives; measured with a heap
    // snapshot for the footprint benchmark). mqtt.js turns `writeCache: false` into mqtt-packet's
    // `writeToStream.cacheNumbers = false`: "allocate buffers on-the-flight instead of
    // pre-generated cache" (mqtt/build/lib/client.js, mqtt-packet/writeToStream.js).
    writeCache: false,
    // The last will: `offline` with this session, retained ([MQTT-3.1.2-8]).
    will: { topic: o.will.topic, payload: Buffer.from(JSON.stringify(o.will.payload)), qos: 1, retain: true },
  };
  if (config.username !== undefined) opts.username = config.username;
  if (secrets.password !== undefined) opts.password = secrets.password;
  if (secrets.ca !== undefined) opts.ca = secrets.ca;
  if (secrets.cert !== undefined) opts.cert = secrets.cert;
  if (secrets.key !== undefined) opts.key = secrets.key;
  // mqtts:// verifies the broker's certificate unless the config explicitly says otherwise.
  opts.rejectUnauthorized = config.tls?.rejectUnauthorized ?? true;
  return opts;
}

/** Resolves or rejects like `p`, or rejects after `ms` on `clock`. */
export function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The MQTT connection, supervised: it never throws on an unreachable broker, reconnects forever
 * with backoff (thingsboard-gateway #2086: a client that stops reconnecting until a restart),
 * publishes the retained birth and every remembered retained message on EVERY connect
 * (zigbee2mqtt #4854: a broker restart loses retained state, aedes keeps it in memory only),
 * and never lets mqtt.js queue a publish in memory: `publish` rejects when not connected, and
 * each connection attempt uses a fresh client so nothing from a dead connection lingers.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { UplinkConfig } from '../config/types.js';
import type { Logger } from '../ports/logger.js';
import { reconnectDelay } from './backoff.js';
import { connectUrl, readSecrets, redactUrl } from './credentials.js';
import { UplinkError } from './errors.js';

export type UplinkEvent = 'connect' | 'disconnect';

/** What the dispatcher needs from an uplink. */
export interface UplinkPort {
  readonly connected: boolean;
  publish(topic: string, payload: Record<string, unknown>, opts?: { retain?: boolean }): Promise<void>;
  on(event: UplinkEvent, listener: () => void): void;
  off(event: UplinkEvent, listener: () => void): void;
}

export interface MqttUplinkOptions {
  config: UplinkConfig;
  statusTopic: string;
  /** Builds the status payload (birth `online`, will and clean-stop `offline`). */
  status: (state: 'online' | 'offline') => Record<string, unknown>;
  logger: Logger;
  /** Default: config.clientId, else `liftwatch-<random>`. */
  clientId?: string;
  /** Bound on waiting for the `offline` PUBACK and the DISCONNECT at stop (default 2000 ms). */
  stopTimeoutMs?: number;
  random?: () => number;
}

export interface UplinkCounters {
  connects: number;
  connectAttempts: number;
  lastConnectAt: number | null;
}

export class MqttUplink implements UplinkPort {
  private readonly emitter = new EventEmitter();
  private readonly retained = new Map<string, Record<string, unknown>>();
  private readonly inflight = new Set<(err: Error) => void>();
  private client: MqttClient | null = null;
  private clientClosed: Promise<void> | null = null;
  private live = false;
  private running = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly counters: UplinkCounters = { connects: 0, connectAttempts: 0, lastConnectAt: null };

  constructor(private readonly opts: MqttUplinkOptions) {}

  get connected(): boolean {
    return this.live && this.client !== null && this.client.connected;
  }

  get stats(): Readonly<UplinkCounters> {
    return { ...this.counters };
  }

  on(event: UplinkEvent, listener: () => void): void {
    this.emitter.on(event, listener);
  }

  off(event: UplinkEvent, listener: () => void): void {
    this.emitter.off(event, listener);
  }

  /** Starts connecting in the background. Never throws for a broker or credential problem. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connectOnce();
  }

  /** Publishes `offline` retained (bounded wait), disconnects cleanly, stops reconnecting. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    const closed = this.clientClosed;
    if (!client) return;
    const bound = this.opts.stopTimeoutMs ?? 2000;
    if (this.connected) {
      try {
        await withTimeout(this.publish(this.opts.statusTopic, this.opts.status('offline'), { retain: true }), bound);
      } catch (err) {
        this.log.warn('offline status not acknowledged before stop', { error: (err as Error).message });
      }
      // A DISCONNECT makes the broker discard the will ([MQTT-3.14.4-3]); we just said offline.
      const ended = await withTimeout(client.endAsync(false), bound).then(
        () => true,
        () => false,
      );
      if (!ended) client.end(true);
    } else {
      client.end(true);
    }
    if (closed) await withTimeout(closed, bound).catch(() => undefined);
    this.failInflight('uplink stopped');
  }

  /**
   * QoS 1 publish, resolved on PUBACK. Rejects at once when not connected, and when the
   * connection closes before the PUBACK: the caller's durable store is the only queue.
   */
  publish(topic: string, payload: Record<string, unknown>, opts: { retain?: boolean } = {}): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) {
      return Promise.reject(new UplinkError('UPLINK_NOT_CONNECTED', `not connected: cannot publish ${topic}`, { topic }));
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        this.inflight.delete(fail);
        reject(err);
      };
      this.inflight.add(fail);
      client.publish(topic, JSON.stringify(payload), { qos: 1, retain: opts.retain ?? false }, (err) => {
        if (err) {
          fail(new UplinkError('UPLINK_PUBLISH_FAILED', `publish to ${topic} failed: ${err.message}`, { topic }, { cause: err }));
          return;
        }
        if (settled) return;
        settled = true;
        this.inflight.delete(fail);
        resolve();
      });
    });
  }

  /** Remembers a retained message and publishes it now (if connected) and on every connect. */
  setRetained(topic: string, payload: Record<string, unknown>): void {
    this.retained.set(topic, payload);
    if (this.connected) this.publishRetained(topic, payload);
  }

  private get log(): Logger {
    return this.opts.logger;
  }

  private connectOnce(): void {
    this.timer = null;
    if (!this.running) return;
    this.counters.connectAttempts++;
    const { config } = this.opts;
    let client: MqttClient;
    try {
      client = mqtt.connect(connectUrl(config), this.clientOptions());
    } catch (err) {
      const e = err as Error & { code?: string };
      this.log.error('cannot connect to the MQTT broker', { url: redactUrl(config.url), code: e.code, error: e.message });
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    this.clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => this.onClose(client));
    client.on('error', (err: Error & { code?: string | number }) => {
      this.log.warn('MQTT client error', { url: redactUrl(config.url), code: err.code, error: err.message });
    });
  }

  private clientOptions(): IClientOptions {
    const { config, statusTopic } = this.opts;
    const secrets = readSecrets(config); // throws UPLINK_CREDENTIALS, caught by connectOnce
    const o: IClientOptions = {
      clientId: this.opts.clientId ?? config.clientId ?? `liftwatch-${randomUUID().slice(0, 8)}`,
      protocolVersion: config.protocolVersion,
      keepalive: config.keepaliveSec,
      clean: true, // durability is the outbox's job, not a broker session's
      reconnectPeriod: 0, // we supervise reconnects ourselves, with backoff
      connectTimeout: 15_000,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify(this.opts.status('offline'))), qos: 1, retain: true },
    };
    if (config.username !== undefined) o.username = config.username;
    if (secrets.password !== undefined) o.password = secrets.password;
    if (secrets.ca !== undefined) o.ca = secrets.ca;
    if (secrets.cert !== undefined) o.cert = secrets.cert;
    if (secrets.key !== undefined) o.key = secrets.key;
    if (config.tls) o.rejectUnauthorized = config.tls.rejectUnauthorized;
    return o;
  }

  private onConnect(client: MqttClient): void {
    if (client !== this.client) return;
    this.live = true;
    this.attempt = 0;
    this.counters.connects++;
    this.counters.lastConnectAt = Date.now();
    this.log.info('connected to the MQTT broker', { url: redactUrl(this.opts.config.url), connects: this.counters.connects });
    // Birth first, then every retained message: one connection keeps publish order
    // ([MQTT-4.6.0-6]), so a subscriber never sees a lift state before the gateway is online.
    this.publishRetained(this.opts.statusTopic, this.opts.status('online'));
    for (const [topic, payload] of this.retained) this.publishRetained(topic, payload);
    this.emitter.emit('connect');
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    const wasLive = this.live;
    this.live = false;
    this.client = null;
    client.end(true); // release the dead client's timers and stores; it never reconnects
    this.failInflight('connection closed before PUBACK');
    if (wasLive) {
      this.log.warn('disconnected from the MQTT broker', { url: redactUrl(this.opts.config.url) });
      this.emitter.emit('disconnect');
    }
    if (this.running) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.timer) return;
    const { reconnectMinMs, reconnectMaxMs } = this.opts.config;
    const delay = reconnectDelay(this.attempt++, reconnectMinMs, reconnectMaxMs, this.opts.random ?? Math.random);
    this.log.debug('reconnecting', { inMs: delay, attempt: this.attempt });
    this.timer = setTimeout(() => this.connectOnce(), delay);
  }

  private publishRetained(topic: string, payload: Record<string, unknown>): void {
    this.publish(topic, payload, { retain: true }).catch((err: Error) => {
      // Re-published on the next connect; nothing is lost by failing here.
      this.log.warn('retained publish failed', { topic, error: err.message });
    });
  }

  private failInflight(reason: string): void {
    const err = new UplinkError('UPLINK_PUBLISH_FAILED', reason);
    for (const fail of [...this.inflight]) fail(err);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

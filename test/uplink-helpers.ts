/** Shared fixtures for the store, uplink and broker tests (not a test itself). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { AlarmEvent } from '../src/core/types.js';
import type { UplinkConfig } from '../src/config/types.js';
import type { Logger } from '../src/ports/logger.js';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { dataGapTopic } from '../src/store/data-gap.js';
import type { RetentionLimits } from '../src/store/retention.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { Dispatcher } from '../src/uplink/dispatcher.js';
import { eventTopic, rootTopic, stateTopic, statusTopic } from '../src/uplink/topics.js';
import { eventPayload, statePayload, statusPayload } from '../src/uplink/payload.js';
import type { StoredEvent } from '../src/ports/outbox.js';
import { patient } from './helpers/patience.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

export interface CapturingLogger extends Logger {
  readonly lines: string[];
}

/** A logger that keeps every line (message and fields, serialized) for inspection. */
export function captureLogger(lines: string[] = [], ns = 'test'): CapturingLogger {
  const rec =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} [${ns}] ${msg} ${fields ? JSON.stringify(fields, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString() : v)) : ''}`);
    };
  return {
    lines,
    debug: rec('debug'),
    info: rec('info'),
    warn: rec('warn'),
    error: rec('error'),
    child: (n: string) => captureLogger(lines, `${ns}:${n}`),
  };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let alarmCounter = 0;
export function alarmEvent(over: Partial<AlarmEvent> = {}): AlarmEvent {
  const at = over.at ?? Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  return {
    alarmId: over.alarmId ?? `alarm-${++alarmCounter}`,
    lifecycle: 'raised',
    code: 'STOPPED_BETWEEN_FLOORS',
    severity: 'critical',
    liftId: 'L1',
    floor: 2,
    occurredAt: at - 30_000,
    confirmedAt: at,
    clearedAt: null,
    at,
    controllerCode: null,
    evidence: { rule: 'stationary outside door zone', heldMs: 30_000, signals: {} },
    ...over,
  };
}

export function uplinkConfig(port: number, over: Partial<UplinkConfig> = {}): UplinkConfig {
  return {
    url: `mqtt://127.0.0.1:${port}`,
    protocolVersion: 4,
    topicPrefix: 'liftwatch',
    keepaliveSec: 30,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    inflight: 20,
    ...over,
  };
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + patient(timeoutMs);
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Received {
  topic: string;
  retain: boolean;
  json: Record<string, unknown>;
}

/** A subscriber that records every message; reconnects and resubscribes quickly. */
export async function subscriber(port: number, topic: string): Promise<{ client: MqttClient; got: Received[]; subscribed: () => number; close: () => Promise<void> }> {
  const got: Received[] = [];
  let subscriptions = 0;
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 20, clean: true, clientId: `sub-${Math.random().toString(16).slice(2)}` });
  client.on('error', () => undefined);
  client.on('message', (t, payload, packet) => {
    got.push({ topic: t, retain: packet.retain, json: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  // Subscribe on every connect: a restarted aedes has forgotten the session.
  client.on('connect', () => {
    client.subscribe(topic, { qos: 1 }, (err) => {
      if (!err) subscriptions++;
    });
  });
  await waitFor(() => subscriptions > 0, 5000, 'subscription');
  return { client, got, subscribed: () => subscriptions, close: async () => void (await client.endAsync(true)) };
}

// ---- a gateway wired the way the agent wires it: SQLite outbox -> dispatcher -> MQTT uplink ----

export const SITE = { id: 'site1', name: 'Site One' };
export const GATEWAY_ID = 'gw1';
export const ROOT = rootTopic('liftwatch', SITE.id, GATEWAY_ID);
export const LIFTS: Record<string, { id: string; label: string; landings: string[] }> = {
  L1: { id: 'L1', label: 'Lift 1', landings: ['0', '1', '2', '3'] },
  L2: { id: 'L2', label: 'Lift 2', landings: ['0', '1', '2', '3'] },
  L3: { id: 'L3', label: 'Lift 3', landings: ['0', '1', '2', '3'] },
};

export interface TestGateway {
  outbox: SqliteOutbox;
  uplink: MqttUplink;
  dispatcher: Dispatcher;
  session: number;
  append(events: AlarmEvent[]): StoredEvent[];
  publishState(liftId: string): void;
  start(): void;
  stop(): Promise<void>;
}

export function testGateway(opts: { port: number; file: string; logger: Logger; uplink?: Partial<UplinkConfig>; stopTimeoutMs?: number; limits?: Partial<RetentionLimits> }): TestGateway {
  const outbox = SqliteOutbox.open(opts.file, { ...SYSTEM_PORTS, dataGap: { topic: dataGapTopic(ROOT), gatewayId: GATEWAY_ID, site: SITE }, ...(opts.limits ? { limits: opts.limits } : {}) });
  const session = outbox.nextSession();
  const config = uplinkConfig(opts.port, opts.uplink);
  const uplink = new MqttUplink({
    config,
    statusTopic: statusTopic(ROOT),
    status: (state) => statusPayload({ state, session, gatewayId: GATEWAY_ID, site: SITE, version: 'test', at: Date.now() }),
    logger: opts.logger.child('uplink'),
    clientId: `liftwatch-${GATEWAY_ID}`,
    stopTimeoutMs: opts.stopTimeoutMs ?? 2000,
  });
  const dispatcher = new Dispatcher({ outbox, uplink, logger: opts.logger.child('dispatcher'), inflight: config.inflight, backlogRatePerSec: config.backlogRatePerSec ?? 0, clock: SYSTEM_PORTS.clock });
  const ctx = (liftId: string) => ({ site: SITE, gatewayId: GATEWAY_ID, lift: LIFTS[liftId] ?? { id: liftId, label: liftId, landings: [] } });
  return {
    outbox,
    uplink,
    dispatcher,
    session,
    append(events) {
      const stored = outbox.append(events.map((event) => ({ event, topic: eventTopic(ROOT, event.liftId), payload: eventPayload(event, ctx(event.liftId)) })));
      dispatcher.kick();
      return stored;
    },
    publishState(liftId) {
      const snapshot = { liftId, link: 'ok', mode: 'normal', moving: false, direction: 'none', floor: 1, inDoorZone: true, doors: 'closed', activeAlarms: [], lastSampleAt: Date.now() } as const;
      uplink.setRetained(stateTopic(ROOT, liftId), statePayload({ ...snapshot, activeAlarms: [] }, ctx(liftId), Date.now()));
    },
    start() {
      dispatcher.start();
      uplink.start();
    },
    async stop() {
      dispatcher.stop();
      await uplink.stop();
      outbox.close();
    },
  };
}

/** A free port: bind an ephemeral one and release it. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Shared fixtures for the store, uplink and broker tests (not a test itself). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { AlarmEvent } from '../src/core/types.js';
import type { Config, UplinkConfig } from '../src/config/types.js';
import type { Logger } from '../src/ports/logger.js';
import type { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { parseConfig } from '../src/config/load.js';
import { loadProfilesForConfig } from '../src/config/profiles.js';
import { composeAgent, type Composed } from '../src/agent/compose.js';
import type { RetentionLimits } from '../src/store/retention.js';
import type { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import type { Dispatcher } from '../src/uplink/dispatcher.js';
import { eventTopic, rootTopic, stateTopic } from '../src/uplink/topics.js';
import { eventPayload, statePayload } from '../src/uplink/payload.js';
import type { StoredEvent } from '../src/ports/outbox.js';

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

import { waitFor } from './helpers/wait.js';
export { waitFor };

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

// ---- a gateway as the agent composes it: SQLite outbox -> dispatcher -> MQTT uplink ----

export const SITE = { id: 'site1', name: 'Site One' };
export const GATEWAY_ID = 'gw1';
export const ROOT = rootTopic('liftwatch', SITE.id, GATEWAY_ID);
export const LIFTS: Record<string, { id: string; label: string; landings: string[] }> = {
  L1: { id: 'L1', label: 'Lift 1', landings: ['0', '1', '2', '3'] },
  L2: { id: 'L2', label: 'Lift 2', landings: ['0', '1', '2', '3'] },
  L3: { id: 'L3', label: 'Lift 3', landings: ['0', '1', '2', '3'] },
};

export interface TestGateway {
  /** The whole composition (agent not started), for tests of the side doors. */
  composed: Composed;
  config: Config;
  outbox: SqliteOutbox;
  uplink: MqttUplink;
  dispatcher: Dispatcher;
  session: number;
  append(events: AlarmEvent[]): StoredEvent[];
  publishState(liftId: string): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Built by composeAgent, the agent's own composition, from a config for SITE, GATEWAY_ID and
 * LIFTS; only the outbox, dispatcher and uplink are started (the field side stays off, so events
 * come from `append`).
 */
export function testGateway(opts: { port: number; file: string; logger: Logger; uplink?: Partial<UplinkConfig>; limits?: Partial<RetentionLimits> }): TestGateway {
  const lifts = Object.values(LIFTS).map((l, i) =>
    [`  - id: ${l.id}`, `    label: ${JSON.stringify(l.label)}`, '    bus: field', `    unitId: ${i + 1}`, '    profile: liftwatch-sim', `    landings: ${JSON.stringify(l.landings)}`].join('\n'),
  );
  const yaml = [
    `site: { id: ${SITE.id}, name: ${JSON.stringify(SITE.name)} }`,
    `gateway: { id: ${GATEWAY_ID} }`,
    'buses:',
    '  - { id: field, type: modbus-tcp, host: 127.0.0.1, port: 1 }',
    'lifts:',
    ...lifts,
    `uplink: { url: "mqtt://127.0.0.1:${opts.port}" }`,
    `storage: { path: ${JSON.stringify(opts.file)} }`,
    'diagnostics: { enabled: false }',
    '',
  ].join('\n');
  const config = parseConfig(yaml, join(dirname(opts.file), 'gateway.yaml'));
  // Test-sized limits and timings, set past the schema's minimums on purpose.
  config.uplink = { ...config.uplink, ...uplinkConfig(opts.port, { backlogRatePerSec: 0, ...opts.uplink }), clientId: `liftwatch-${GATEWAY_ID}` };
  config.storage = { ...config.storage, ...opts.limits };
  const composed = composeAgent({ config, profiles: loadProfilesForConfig(config), logger: opts.logger });
  const outbox = composed.outbox as SqliteOutbox;
  const { uplink, dispatcher, session } = composed;
  const ctx = (liftId: string) => ({ site: SITE, gatewayId: GATEWAY_ID, lift: LIFTS[liftId] ?? { id: liftId, label: liftId, landings: [] } });
  return {
    composed,
    config,
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

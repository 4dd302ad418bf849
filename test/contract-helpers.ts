/**
 * The real agent, composed the way `liftwatch demo` composes it (src/cli/stack.ts): embedded
 * aedes broker, liftwatch's simulator behind a Modbus RTU-over-TCP bus, SQLite outbox in a
 * temp dir, MQTT uplink. Shared by the request, health and contract tests (not a test itself).
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { parseConfig } from '../src/config/load.js';
import { loadProfilesForConfig } from '../src/config/profiles.js';
import { startStack, type Stack } from '../src/cli/stack.js';
import { captureLogger, freePort, waitFor, type CapturingLogger } from './uplink-helpers.js';

export interface AgentUnderTest {
  stack: Stack;
  brokerPort: number;
  root: string;
  logger: CapturingLogger;
  stop(): Promise<void>;
}

export interface AgentOptions {
  /** Another broker's port (e.g. mosquitto): the embedded one is not started. */
  externalBrokerPort?: number;
  protocolVersion?: 4 | 5;
}

export async function startAgent(dir: string, opts: AgentOptions = {}): Promise<AgentUnderTest> {
  const brokerPort = opts.externalBrokerPort ?? (await freePort());
  const busPort = await freePort();
  const yaml = `
site: { id: site1, name: "Site One" }
gateway: { id: gw1 }
buses:
  - { id: sim, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: ${busPort}, timeoutMs: 300, retries: 1, interFrameGapMs: 2 }
lifts:
  - { id: A, label: "Lift A", bus: sim, unitId: 1, profile: liftwatch-sim, landings: ["0", "1", "2", "3"], pollIntervalMs: 100 }
broker: { enabled: ${opts.externalBrokerPort === undefined}, host: 127.0.0.1, port: ${brokerPort} }
uplink:
  url: mqtt://127.0.0.1:${brokerPort}
  protocolVersion: ${opts.protocolVersion ?? 4}
  reconnectMinMs: 100
  reconnectMaxMs: 300
rules:
  PASSENGER_TRAPPED: { confirmMs: 300 }
storage: { path: ${JSON.stringify(join(dir, 'agent.db'))} }
`;
  const config = parseConfig(yaml, join(dir, 'agent.yaml'));
  const profiles = loadProfilesForConfig(config);
  const logger = captureLogger();
  const stack = await startStack({ config, profiles, logger, simulate: { scenario: 'idle' }, print: null });
  try {
    await waitFor(() => stack.composed.uplink.connected, 10_000, 'agent connected');
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return { stack, brokerPort, root: stack.composed.root, logger, stop: () => stack.stop() };
}

export interface Message {
  topic: string;
  retain: boolean;
  json: Record<string, unknown>;
  correlationData?: Buffer;
}

/** A facility-side client: records every message on `filters`, JSON-decoded. */
export async function facilityClient(url: string, filters: string[], extra: IClientOptions = {}): Promise<{ client: MqttClient; got: Message[]; close: () => Promise<void> }> {
  const got: Message[] = [];
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, clientId: `sub-${Math.random().toString(16).slice(2)}`, ...extra });
  client.on('message', (topic, payload, packet) => {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(payload.toString()) as Record<string, unknown>;
    } catch {
      json = { raw: payload.toString() };
    }
    const m: Message = { topic, retain: packet.retain, json };
    if (packet.properties?.correlationData) m.correlationData = packet.properties.correlationData;
    got.push(m);
  });
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, got, close: async () => void (await client.endAsync(true)) };
}

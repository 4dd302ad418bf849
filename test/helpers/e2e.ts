/**
 * End-to-end harness (not a test itself): a real aedes broker, liftwatch's simulator serving
 * Modbus over a real byte stream, the real agent with a real SQLite file, and a subscriber
 * collecting what a facility system would receive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { parseConfig } from '../../src/config/load.js';
import { loadProfilesForConfig } from '../../src/config/profiles.js';
import type { Config } from '../../src/config/types.js';
import { composeAgent, type Composed } from '../../src/agent/compose.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { Simulator } from '../../src/sim/simulator.js';
import { ConsoleLogger } from './console-logger.js';

export interface Msg {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

export interface LiftSpec {
  id: string;
  unitId: number;
  profile?: string; // default liftwatch-sim
  landings?: string[];
  signals?: string; // YAML block for `signals:`, indented by the caller
  rules?: string; // YAML block for the lift's own `rules:`, indented by the caller
}

export interface HarnessOptions {
  lifts?: LiftSpec[];
  /** YAML for the `rules:` section (already indented by 2). */
  rules?: string;
  /** Bus section override: default RTU over TCP to the simulator. */
  bus?: { type: 'modbus-rtu'; port: string } | { type: 'modbus-rtu-over-tcp' | 'modbus-tcp' };
  dir?: string; // reuse a directory (restart tests)
  brokerPort?: number;
  simulator?: Simulator; // reuse a simulator (restart tests)
  simPort?: number; // with `simulator`: the port it already serves on
  startBroker?: boolean; // default true
}

export interface Harness {
  dir: string;
  config: Config;
  broker: EmbeddedBroker | null;
  brokerPort: number;
  sim: Simulator;
  simPort: number | null;
  composed: Composed;
  root: string;
  /** Stops the agent (and, unless keepSim/keepBroker, the simulator and broker). */
  stop(opts?: { keepSim?: boolean; keepBroker?: boolean; keepDir?: boolean }): Promise<void>;
}

export const DEFAULT_LIFTS: LiftSpec[] = [{ id: 'A', unitId: 1, landings: ['0', '1', '2', '3', '4'] }];

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'liftwatch-e2e-'));
  const lifts = opts.lifts ?? DEFAULT_LIFTS;
  const quiet = new ConsoleLogger({ level: process.env['LIFTWATCH_TEST_LOG'] === 'debug' ? 'debug' : 'silent' });
  let broker: EmbeddedBroker | null = null;
  let brokerPort = opts.brokerPort ?? 0;
  if (opts.startBroker !== false) {
    broker = new EmbeddedBroker({ port: brokerPort, logger: quiet });
    brokerPort = (await broker.start()).port;
  } else if (!brokerPort) {
    brokerPort = await freePort();
  }
  const sim =
    opts.simulator ??
    new Simulator({
      lifts: lifts.map((l) => ({ unitId: l.unitId, landings: (l.landings ?? DEFAULT_LIFTS[0]!.landings!).length, startFloor: 1 })),
      scenario: { name: 'idle', autoTrips: false, steps: [] },
    });
  let simPort: number | null = opts.simPort ?? null;
  const bus = opts.bus ?? { type: 'modbus-rtu-over-tcp' as const };
  if (!opts.simulator) {
    if (bus.type !== 'modbus-rtu') {
      simPort = (await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: bus.type === 'modbus-tcp' ? 'mbap' : 'rtu' })).port;
    }
    sim.start();
  }
  const busYaml =
    bus.type === 'modbus-rtu'
      ? `  - { id: field, type: modbus-rtu, port: ${JSON.stringify(bus.port)}, baudRate: 19200, timeoutMs: 200, retries: 0, interFrameGapMs: 2 }`
      : `  - { id: field, type: ${bus.type}, host: 127.0.0.1, port: ${simPort ?? 1}, timeoutMs: 200, retries: 0, interFrameGapMs: 2 }`;
  const liftYaml = lifts
    .map((l) =>
      [
        `  - id: ${l.id}`,
        `    label: "Lift ${l.id}"`,
        `    bus: field`,
        `    unitId: ${l.unitId}`,
        `    profile: ${l.profile ?? 'liftwatch-sim'}`,
        `    landings: ${JSON.stringify(l.landings ?? DEFAULT_LIFTS[0]!.landings)}`,
        `    pollIntervalMs: 100`,
        ...(l.signals ? [`    signals:`, l.signals] : []),
        ...(l.rules ? [`    rules:`, l.rules] : []),
      ].join('\n'),
    )
    .join('\n');
  const yaml = [
    'site: { id: test-site, name: "Test House", address: "1 Test Road" }',
    'gateway: { id: gw1 }',
    'buses:',
    busYaml,
    'lifts:',
    liftYaml,
    `uplink: { url: "mqtt://127.0.0.1:${brokerPort}", reconnectMinMs: 100, reconnectMaxMs: 500 }`,
    `storage: { path: ${JSON.stringify(join(dir, 'liftwatch.db'))} }`,
    ...(opts.rules ? ['rules:', opts.rules] : []),
    '',
  ].join('\n');
  const file = join(dir, 'liftwatch.yaml');
  writeFileSync(file, yaml);
  let config: Config;
  let composed: Composed | undefined;
  try {
    config = parseConfig(yaml, file);
    const profiles = loadProfilesForConfig(config);
    composed = composeAgent({ config, profiles, logger: quiet });
    await composed.agent.start();
  } catch (err) {
    // A harness that cannot start closes what it opened, so the test fails at once with this
    // error instead of hanging until tap's timeout on open servers.
    await composed?.agent.stop().catch(() => undefined);
    if (!opts.simulator) await sim.stop();
    if (broker) await broker.stop();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = async (s: { keepSim?: boolean; keepBroker?: boolean; keepDir?: boolean } = {}): Promise<void> => {
    await composed.agent.stop();
    if (!s.keepSim) await sim.stop();
    if (!s.keepBroker && broker) await broker.stop();
    if (!s.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  return { dir, config, broker, brokerPort, sim, simPort, composed, root: composed.root, stop };
}

/** A facility-side subscriber that records everything under `topic`. */
export async function subscribe(port: number, topic: string): Promise<{ client: MqttClient; messages: Msg[]; close(): Promise<void> }> {
  const messages: Msg[] = [];
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 100, clean: true, clientId: `facility-${Math.random().toString(16).slice(2)}` });
  client.on('message', (t, payload, packet) => {
    messages.push({ topic: t, payload: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain });
  });
  client.on('connect', () => client.subscribe(topic, { qos: 1 }));
  client.on('error', () => undefined);
  await waitFor(() => client.connected, 5000, 'subscriber connected');
  await new Promise((r) => setTimeout(r, 50));
  return { client, messages, close: () => client.endAsync(true).then(() => undefined) };
}

import { waitFor } from './wait.js';
export { waitFor };

export function events(messages: Msg[]): Array<Record<string, unknown>> {
  return messages.filter((m) => m.topic.endsWith('/event')).map((m) => m.payload);
}

export function findEvent(messages: Msg[], code: string, lifecycle: string): Record<string, unknown> | undefined {
  return events(messages).find((e) => e['code'] === code && e['lifecycle'] === lifecycle);
}

/** The simulator's quiet state: the car at landing 1, doors closed and locked, all healthy. */
export const AT_REST = { moving: false, doorZone: true, doorClosedLimit: true, doorOpenLimit: false, doorLocked: true } as const;

export function writeTemp(dir: string, name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

// Plain serial frames end to end over a socat pty pair: liftwatch's simulator speaks the ASCII printer
// protocol and the binary enquiry/response protocol on one end; the real agent, composed as
// `liftwatch run` composes it (SQLite file, MQTT uplink), reads the other end through a
// serial-frames bus; an in-test aedes broker and a subscriber see the alarms. Skipped when
// socat is missing, except in CI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import mqtt from 'mqtt';
import { parseConfig } from '../src/config/load.js';
import { loadProfilesForConfig } from '../src/config/profiles.js';
import { composeAgent } from '../src/agent/compose.js';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { Simulator } from '../src/sim/simulator.js';
import { PtyPair } from '../src/sim/frames/pty-pair.js';
import type { PollResult } from '../src/field/bus-poller.js';
import type { FramesBusStats } from '../src/field/frames/frames-reader.js';
import { silentLogger } from './frames-helpers.js';
import { waitFor } from './helpers/wait.js';

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}


interface Msg {
  topic: string;
  payload: Record<string, unknown>;
}

const socat = onPath('socat');

const CASES = [
  { protocol: 'ascii', profile: 'ascii-printer-example', unitId: 3 },
  { protocol: 'binary', profile: 'binary-enquiry-example', unitId: 5 },
] as const;

if (!socat && process.env.CI === 'true') {
  t.fail('socat is required in CI (apt-get install socat) for the serial-frames end-to-end test');
} else if (!socat) {
  void t.test('serial frames end to end over a pty pair', { skip: 'socat not on PATH' }, async () => undefined);
} else {
  for (const c of CASES) {
    void t.test(`${c.protocol} frames: simulator -> pty -> agent -> core -> MQTT`, async (t) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-frames-'));
      const pty = new PtyPair(path.join(dir, 'agent'), path.join(dir, 'sim'), socat);
      const sim = new Simulator({
        lifts: [{ unitId: c.unitId, landings: 5, startFloor: 2 }],
        scenario: { name: 'idle', autoTrips: false, steps: [] },
      });
      const broker = new EmbeddedBroker({ port: 0, logger: silentLogger });
      const cleanups: Array<() => Promise<void>> = [];
      t.teardown(async () => {
        for (const f of cleanups.reverse()) await f().catch(() => undefined);
        await sim.stop();
        await broker.stop();
        await pty.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      await pty.start();
      await sim.openFramesSerial({ path: pty.b, protocol: c.protocol, periodMs: 100 });
      sim.start();
      const { port } = await broker.start();

      const yaml = [
        'site: { id: frames-site, name: "Frames House" }',
        'gateway: { id: gw1 }',
        'buses:',
        `  - { id: printer, type: serial-frames, port: ${JSON.stringify(pty.a)}, baudRate: 9600, timeoutMs: 200, silenceTimeoutMs: 600, interFrameGapMs: 2 }`,
        'lifts:',
        `  - { id: L1, bus: printer, unitId: ${c.unitId}, profile: ${c.profile}, landings: ["0", "1", "2", "3", "4"], pollIntervalMs: 100 }`,
        `uplink: { url: "mqtt://127.0.0.1:${port}", reconnectMinMs: 100, reconnectMaxMs: 500 }`,
        `storage: { path: ${JSON.stringify(path.join(dir, 'liftwatch.db'))} }`,
        'rules:',
        '  MAINS_POWER_FAILURE: { confirmMs: 200 }',
        '  CONTROLLER_COMM_LOST: { confirmMs: 1000 }',
        '',
      ].join('\n');
      const file = path.join(dir, 'liftwatch.yaml');
      fs.writeFileSync(file, yaml);
      const config = parseConfig(yaml, file);
      const profiles = loadProfilesForConfig(config);
      const composed = composeAgent({ config, profiles, logger: silentLogger });
      const polls: PollResult[] = [];
      composed.agent.on({ poll: (r) => polls.push(r) });

      const messages: Msg[] = [];
      const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 100, clientId: `facility-${c.protocol}` });
      client.on('message', (topic, payload) => messages.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
      cleanups.push(() => new Promise<void>((resolve) => client.end(true, {}, () => resolve())));
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      await client.subscribeAsync('liftwatch/#', { qos: 1 });

      await composed.agent.start();
      cleanups.push(() => composed.agent.stop());
      const events = (code: string): Msg[] => messages.filter((m) => m.topic.endsWith('/lift/L1/event') && m.payload.code === code);

      t.ok(await waitFor(() => polls.filter((p) => p.ok).length >= 3, 5000, 'good polls from the frames bus'), 'good polls from the frames bus');
      const first = polls.find((p) => p.ok);
      t.ok(first?.ok && first.values.floor === 2 && first.values.mainsPower === true && first.values.safetyChain === true, 'decoded the controller\'s status');
      const okState = await waitFor(() => messages.some((m) => m.topic.includes('/lift/L1/state') && m.payload.floor === '2'), 5000, 'lift L1 state at floor 2').catch(() => false);
      if (!okState) t.comment(JSON.stringify(messages.slice(0, 5)));
      t.ok(okState, 'lift state on MQTT shows the floor');

      sim.lift(c.unitId).inject({ kind: 'mains-lost' });
      t.ok(await waitFor(() => events('MAINS_POWER_FAILURE').some((m) => m.payload.lifecycle === 'raised'), 8000, 'MAINS_POWER_FAILURE raised on MQTT'), 'MAINS_POWER_FAILURE raised on MQTT');
      sim.lift(c.unitId).remove('mains-lost');

      sim.lift(c.unitId).inject({ kind: 'fault-code', code: 72 });
      t.ok(await waitFor(() => polls.some((p) => p.ok && p.values.faultCode === 72), 5000, 'the controller fault code reaches the core as faultCode'), 'the controller fault code reaches the core as faultCode');
      sim.lift(c.unitId).remove('fault-code');

      sim.lift(c.unitId).inject({ kind: 'garbage' });
      const decodedBefore = (composed.agent.busStats()[0] as FramesBusStats).frames.decoded;
      t.ok(await waitFor(() => (composed.agent.busStats()[0] as FramesBusStats).frames.decoded > decodedBefore + 3, 5000, 'frames behind line noise still decoded'), 'frames behind line noise still decoded');
      sim.lift(c.unitId).remove('garbage');

      sim.lift(c.unitId).inject({ kind: 'silent' });
      t.ok(await waitFor(() => events('CONTROLLER_COMM_LOST').some((m) => m.payload.lifecycle === 'raised'), 10000, 'a controller that stops talking: CONTROLLER_COMM_LOST'), 'a controller that stops talking: CONTROLLER_COMM_LOST');
      sim.lift(c.unitId).remove('silent');
      t.ok(await waitFor(() => events('CONTROLLER_COMM_LOST').some((m) => m.payload.lifecycle === 'cleared'), 8000, 'cleared when it talks again'), 'cleared when it talks again');
      const st = composed.agent.busStats()[0] as FramesBusStats;
      t.ok(st.frames.discardedBytes + st.frames.unmatched + st.frames.badChecksum > 0, 'noise was counted');
      t.comment(JSON.stringify(st.frames));
    });
  }
}

/**
 * Traffic soak: busy but healthy lifts, read by the real agent over real Modbus bytes, must
 * raise nothing above `info` (busy is not broken). The simulator plays a traffic profile per
 * lift on its own line (a socat pty pair; RTU over TCP on loopback when socat is missing), the
 * agent runs as `liftwatch run` on a generated config in one of three wirings, and a facility
 * subscriber on an embedded broker collects every event. Used by `npm run soak:traffic`
 * (bench/traffic-soak.ts) and test/traffic-real-bytes.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/config/load.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { ConsoleLogger } from '../../test/helpers/console-logger.js';
import type { BehaviourSpec } from '../../src/sim/behaviours.js';
import { Simulator } from '../../src/sim/simulator.js';
import { TRAFFIC, type TrafficName } from '../../src/sim/traffic.js';
import { ptyPair, socatPath, type PtyPair } from './pty-pair.js';
import { WIRING_SIGNALS, type Wiring } from './wirings.js';

export { WIRINGS, type Wiring } from './wirings.js';

export interface SoakLift {
  wiring: Wiring;
  traffic: TrafficName;
  /** Faults to play on top (the masking corpus); none for a silence soak. */
  behaviours?: BehaviourSpec[];
}

export interface TrafficSoakOptions {
  lifts: SoakLift[];
  durationMs: number;
  /** Default 200 ms. */
  pollIntervalMs?: number;
  /** `auto` (default): pty pairs when socat is on PATH, else RTU over TCP. */
  transport?: 'auto' | 'pty' | 'tcp';
  seed?: number;
  log?: (line: string) => void;
}

export interface SoakEvent {
  liftId: string;
  code: string;
  severity: string;
  lifecycle: string;
  /** ms since the soak started (lifts answering). */
  atMs: number;
  rule: string | null;
  detail: string | null;
}

export interface SoakLiftReport extends SoakLift {
  liftId: string;
  unitId: number;
  landings: number;
  /** Trips the simulated lift made during the soak, and requests the agent sent it. */
  trips: number;
  reads: number;
  events: SoakEvent[];
  /** Events of severity minor, major or critical: a silence soak wants none. */
  aboveInfo: SoakEvent[];
}

export interface TrafficSoakReport {
  transport: 'pty' | 'tcp';
  durationMs: number;
  pollIntervalMs: number;
  lifts: SoakLiftReport[];
  aboveInfo: SoakEvent[];
  /** The agent's exit code after SIGTERM (0 = clean stop) and the tail of its output. */
  agentExit: number | null;
  agentLog: string;
}

const SITE = 'soak-site';
const GATEWAY = 'soak-gw';
const BAUD = 19200;

export async function runTrafficSoak(opts: TrafficSoakOptions): Promise<TrafficSoakReport> {
  const log = opts.log ?? (() => undefined);
  const poll = opts.pollIntervalMs ?? 200;
  const socat = opts.transport === 'tcp' ? null : socatPath();
  if (opts.transport === 'pty' && !socat) throw new Error('transport pty needs socat on PATH (apt-get install socat)');
  const transport = socat ? 'pty' : 'tcp';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-traffic-soak-'));
  const quiet = new ConsoleLogger({ level: 'silent' });
  const broker = new EmbeddedBroker({ port: 0, logger: quiet });
  const ptys: PtyPair[] = [];
  let sim: Simulator | null = null;
  let agent: ChildProcess | null = null;
  let sub: mqtt.MqttClient | null = null;
  let agentLog = '';
  try {
    const brokerPort = (await broker.start()).port;
    const lifts = opts.lifts.map((l, i) => ({ ...l, liftId: `L${i + 1}-${l.wiring}`, unitId: i + 1, landings: TRAFFIC[l.traffic].landings }));
    sim = new Simulator({
      lifts: lifts.map((l) => ({ unitId: l.unitId, landings: l.landings, seed: (opts.seed ?? 1) * 1000 + l.unitId, traffic: TRAFFIC[l.traffic] })),
      scenario: { name: 'trips', autoTrips: true, steps: [] },
    });
    for (const l of lifts) for (const b of l.behaviours ?? []) sim.lift(l.unitId).inject(b);
    // One line per lift, so a busy bus never stands in for a slow lift.
    const buses: Array<Record<string, unknown>> = [];
    for (const l of lifts) {
      const id = `bus${l.unitId}`;
      if (socat) {
        const pty = await ptyPair(socat, dir, id);
        ptys.push(pty);
        await sim.openSerial({ path: pty.a, baudRate: BAUD });
        buses.push({ id, type: 'modbus-rtu', port: pty.b, baudRate: BAUD, timeoutMs: 300, retries: 1, interFrameGapMs: 2 });
      } else {
        const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' });
        buses.push({ id, type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port, timeoutMs: 300, retries: 1, interFrameGapMs: 2 });
      }
    }
    sim.start();
    const config = {
      site: { id: SITE, name: 'Traffic soak' },
      gateway: { id: GATEWAY },
      buses,
      lifts: lifts.map((l) => ({
        id: l.liftId,
        label: `${l.traffic} via ${l.wiring}`,
        bus: `bus${l.unitId}`,
        unitId: l.unitId,
        landings: Array.from({ length: l.landings }, (_, i) => String(i)),
        pollIntervalMs: poll,
        ...WIRING_SIGNALS[l.wiring],
      })),
      uplink: { url: `mqtt://127.0.0.1:${brokerPort}`, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      storage: { path: path.join(dir, 'soak.db') },
      diagnostics: { enabled: false },
    };
    const configFile = path.join(dir, 'liftwatch.yaml');
    fs.writeFileSync(configFile, stringify(config));

    const root = `liftwatch/${SITE}/${GATEWAY}`;
    const linkOk = new Set<string>();
    const raw: Array<{ payload: Record<string, unknown>; at: number }> = [];
    const client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { clientId: `soak-facility-${process.pid}`, reconnectPeriod: 200 });
    sub = client;
    client.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (topic.endsWith('/event')) raw.push({ payload: body, at: Date.now() });
      const state = /\/lift\/([^/]+)\/state$/.exec(topic);
      if (state?.[1] && body['link'] === 'ok') linkOk.add(state[1]);
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => client.subscribe(`${root}/#`, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
      client.once('error', reject);
    });

    const bin = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
    const child = spawn(process.execPath, [bin, 'run', '--config', configFile, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent = child;
    const keep = (d: Buffer): void => void (agentLog = (agentLog + d.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    log(`agent started on ${lifts.length} lift(s) over ${transport === 'pty' ? 'socat pty pairs' : 'RTU over TCP'}, polling every ${poll} ms`);
    const ready = Date.now() + 30_000;
    while (linkOk.size < lifts.length) {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${agentLog}`);
      if (Date.now() > ready) throw new Error(`lifts not answering after 30 s (ok: ${[...linkOk].join(', ')}): ${agentLog}`);
      await sleep(100);
    }
    const t0 = Date.now();
    const trips0 = lifts.map((l) => sim?.lift(l.unitId).model.trips ?? 0);
    const reads0 = lifts.map((l) => sim?.lift(l.unitId).requestsServed ?? 0);
    log(`all lifts answer; soaking for ${Math.round(opts.durationMs / 1000)} s`);
    for (let next = 60_000; Date.now() - t0 < opts.durationMs; ) {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode} during the soak: ${agentLog}`);
      await sleep(Math.min(1000, Math.max(1, opts.durationMs - (Date.now() - t0))));
      if (Date.now() - t0 >= next) {
        log(`${Math.round((Date.now() - t0) / 60_000)} min: ${raw.filter((e) => e.payload['severity'] !== 'info').length} event(s) above info so far`);
        next += 60_000;
      }
    }
    const durationMs = Date.now() - t0;
    await sleep(500); // events confirmed at the very end still arrive
    const agentExit = await stopAgent(child);
    agent = null;
    const events: SoakEvent[] = raw.map(({ payload: p, at }) => ({
      liftId: String((p['lift'] as { id?: unknown } | undefined)?.id ?? ''),
      code: String(p['code']),
      severity: String(p['severity']),
      lifecycle: String(p['lifecycle']),
      atMs: at - t0,
      rule: typeof (p['evidence'] as { rule?: unknown } | undefined)?.rule === 'string' ? String((p['evidence'] as { rule: string }).rule) : null,
      detail: typeof p['detail'] === 'string' ? p['detail'] : null,
    }));
    const reports: SoakLiftReport[] = lifts.map((l, i) => {
      const own = events.filter((e) => e.liftId === l.liftId);
      return {
        wiring: l.wiring,
        traffic: l.traffic,
        ...(l.behaviours ? { behaviours: l.behaviours } : {}),
        liftId: l.liftId,
        unitId: l.unitId,
        landings: l.landings,
        trips: (sim?.lift(l.unitId).model.trips ?? 0) - (trips0[i] ?? 0),
        reads: (sim?.lift(l.unitId).requestsServed ?? 0) - (reads0[i] ?? 0),
        events: own,
        aboveInfo: own.filter((e) => e.severity !== 'info'),
      };
    });
    return { transport, durationMs, pollIntervalMs: poll, lifts: reports, aboveInfo: reports.flatMap((r) => r.aboveInfo), agentExit, agentLog };
  } finally {
    if (agent) await stopAgent(agent);
    await sub?.endAsync(true).catch(() => undefined);
    await sim?.stop();
    for (const p of ptys) await p.stop();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per lift, then its events above info grouped by code. */
export function formatSoakReport(r: TrafficSoakReport): string {
  const lines = [`traffic soak: ${Math.round(r.durationMs / 1000)} s over ${r.transport === 'pty' ? 'socat pty pairs' : 'RTU over TCP'}, poll ${r.pollIntervalMs} ms, agent exit ${r.agentExit}`];
  for (const l of r.lifts) {
    const raised = l.aboveInfo.filter((e) => e.lifecycle === 'raised');
    const byCode = new Map<string, SoakEvent[]>();
    for (const e of raised) byCode.set(e.code, [...(byCode.get(e.code) ?? []), e]);
    const extra = l.behaviours?.length ? ` + ${l.behaviours.map((b) => b.kind).join(', ')}` : '';
    lines.push(`  ${l.wiring.padEnd(11)} ${l.traffic.padEnd(11)}${extra}: ${l.trips} trips, ${l.reads} reads, ${l.events.length} events, ${l.aboveInfo.length} above info${raised.length ? ':' : ''}`);
    for (const [code, evs] of byCode) {
      const why = [...new Set(evs.map((e) => e.detail ?? e.rule ?? ''))].filter(Boolean);
      lines.push(`    ${evs[0]?.severity} ${code} raised x${evs.length}, first at ${((evs[0]?.atMs ?? 0) / 1000).toFixed(1)} s${why.length ? `: ${why.join('; ')}` : ''}`);
    }
  }
  lines.push(r.aboveInfo.length === 0 ? 'verdict: silent (nothing above info)' : `verdict: ${r.aboveInfo.length} event(s) above info`);
  return lines.join('\n');
}

async function stopAgent(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

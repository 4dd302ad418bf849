/**
 * For the CLI tests: the real `liftwatch` binary run as a child process against an
 * agent that is itself a child process (`liftwatch run`), with the simulator and an aedes
 * broker in this process. Async all the way: a blocking spawnSync would stall the simulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiagnosticsClient } from '../../src/diagnostics/client.js';
import { EmbeddedBroker } from '../../src/broker/embedded.js';
import { ConsoleLogger } from './console-logger.js';
import { Simulator } from '../../src/sim/simulator.js';
import { patient } from './patience.js';

export const root = new URL('../../../', import.meta.url).pathname; // dist/test/helpers → repo
export const bin = path.join(root, 'dist/src/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), patient(opts.timeoutMs ?? 30_000));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface AgentRig {
  dir: string;
  configFile: string;
  socket: string;
  brokerPort: number;
  simPort: number;
  sim: Simulator;
  agent: ChildProcess | null;
  agentLog: () => string;
  root: string;
  /** Starts `liftwatch run` (with `node` given `nodeArgs`, in `env`) and waits until its diagnostics sockets answer. */
  startAgent(opts?: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv }): Promise<void>;
  /** SIGTERM, resolves with the exit code. */
  stopAgent(): Promise<number | null>;
  close(): Promise<void>;
}

/** True when an agent answers a ping on this socket file. */
async function answers(file: string): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  const client = new DiagnosticsClient(file, null);
  try {
    await client.connect();
    await client.request('ping', {}, 2_000);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** A lift of the rig; `profile` defaults to liftwatch-sim, `signals` is a YAML flow mapping (an io-module's wiring). */
export interface RigLift {
  id: string;
  unitId: number;
  landings: string[];
  profile?: string;
  signals?: string;
}

export async function rig(opts: { lifts?: RigLift[] } = {}): Promise<AgentRig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-cli-'));
  const quiet = new ConsoleLogger({ level: 'silent' });
  const broker = new EmbeddedBroker({ port: 0, logger: quiet });
  const brokerPort = (await broker.start()).port;
  const lifts: RigLift[] = opts.lifts ?? [{ id: 'A', unitId: 1, landings: ['0', '1', '2', '3', '4'] }];
  const sim = new Simulator({ lifts: lifts.map((l) => ({ unitId: l.unitId, landings: l.landings.length, startFloor: 1 })), scenario: { name: 'idle', autoTrips: false, steps: [] } });
  const simPort = (await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' })).port;
  sim.start();
  const socket = path.join(dir, 'lw.sock');
  const yaml = [
    'site: { id: test-site, name: "Test House" }',
    'gateway: { id: gw1 }',
    'buses:',
    `  - { id: field, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: ${simPort}, timeoutMs: 200, retries: 0, interFrameGapMs: 2 }`,
    'lifts:',
    ...lifts.map((l) => `  - { id: ${l.id}, label: "Lift ${l.id}", bus: field, unitId: ${l.unitId}, profile: ${l.profile ?? 'liftwatch-sim'}, landings: ${JSON.stringify(l.landings)}, pollIntervalMs: 100${l.signals ? `, signals: ${l.signals}` : ''} }`),
    `uplink: { url: "mqtt://127.0.0.1:${brokerPort}", reconnectMinMs: 100, reconnectMaxMs: 500 }`,
    `storage: { path: ${JSON.stringify(path.join(dir, 'lw.db'))} }`,
    `diagnostics: { socket: ${JSON.stringify(socket)} }`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'liftwatch.yaml');
  fs.writeFileSync(configFile, yaml);
  let log = '';
  const r: AgentRig = {
    dir,
    configFile,
    socket,
    brokerPort,
    simPort,
    sim,
    agent: null,
    agentLog: () => log,
    root: 'liftwatch/test-site/gw1',
    async startAgent(opts = {}) {
      const args = [...(opts.nodeArgs ?? []), bin, 'run', '--config', configFile, '--log-level', 'warn'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      r.agent = child;
      const deadline = Date.now() + patient(15_000);
      // Ready when the read-only socket answers: the agent binds the full socket, chmods it,
      // then does the same for the read-only one, so a file that merely exists may still have
      // bind()'s mode (a CI failure: 0600 seen before the chmod to 0660).
      while (!(await answers(socket.replace(/\.sock$/, '-ro.sock')))) {
        if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${log}`);
        if (Date.now() > deadline) throw new Error(`no answer on the diagnostics socket after ${patient(15_000)} ms: ${log}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    async stopAgent() {
      const child = r.agent;
      r.agent = null;
      if (!child || child.exitCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      child.kill('SIGTERM');
      return await exited;
    },
    async close() {
      if (r.agent && r.agent.exitCode === null) r.agent.kill('SIGKILL');
      await sim.stop();
      await broker.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return r;
}

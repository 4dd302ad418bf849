/**
 * Benchmark 9, the same job as a bare script. A Modbus TCP slave with 16 units whose 16 holding
 * registers change once a second (bench/lib/samejob-registers.ts) is polled every 100 ms per
 * unit (160 requests/s) by two programs in turn, each alone, publishing to mosquitto with QoS 1:
 * - the bare script (bench/children/samejob-bare.ts, ~50 lines: modbus-serial + mqtt.js,
 *   publish on change, no persistence, no classification);
 * - liftwatch (`liftwatch run` on a config of 16 lifts, profile samejob-16): decode, debounce,
 *   classify, state snapshots, the SQLite outbox, QoS 1.
 * Both run with the systemd unit's Node settings (NODE_OPTIONS, MALLOC_ARENA_MAX), so the agent
 * does not re-exec itself. After a warm-up, CPU (% of one core) and the median RSS of each,
 * and of the slave while it serves each, are read from /proc over the same window length, in
 * interleaved rounds (script, liftwatch, script, liftwatch...) pooled at the end.
 * Targets: liftwatch's CPU ≤ 1.5× the script's, its RSS ≤ 1.0×, the slave's CPU under
 * liftwatch ≤ 1.2× under the script.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Bench, Measured } from './lib/bench.js';
import { freePort, sleep, stopChild, tempDir } from './lib/env.js';
import { benchConfigDoc, writeAndLoad } from './lib/config.js';
import { Mosquitto, mosquittoPath } from './lib/mosquitto.js';
import { sampleWindow, type ProcWindow } from './lib/proc-sampler.js';
import { SAMEJOB_PROFILE } from './lib/samejob-registers.js';
import { mean, median, round } from './lib/stats.js';
import { unitRuntimeEnv } from './lib/unit-runtime.js';

const BIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CHILDREN = fileURLToPath(new URL('./children/', import.meta.url));
const UNITS = 16;

async function startSlave(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const slave = spawn(process.execPath, [path.join(CHILDREN, 'samejob-slave.js'), String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the same-job slave did not start within 10 s')), 10_000);
    slave.stdout?.once('data', () => (clearTimeout(t), resolve()));
    slave.once('exit', (code) => (clearTimeout(t), reject(new Error(`the same-job slave exited (${String(code)})`))));
  });
  return slave;
}

/** The requests the slave has served so far (it prints them on SIGUSR2). */
function requestsServed(slave: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the same-job slave did not report its requests')), 5000);
    const onData = (d: Buffer): void => {
      const m = /requests (\d+)/.exec(d.toString());
      if (!m) return;
      clearTimeout(t);
      slave.stdout?.off('data', onData);
      resolve(Number(m[1]));
    };
    slave.stdout?.on('data', onData);
    slave.kill('SIGUSR2');
  });
}

/** Runs `program` alone against the slave: warm-up, then one window of both processes. */
async function phase(program: ChildProcess, slave: ChildProcess, warmS: number, windowS: number): Promise<{ program: ProcWindow; slave: ProcWindow; requestsPerS: number }> {
  await sleep(warmS * 1000);
  if (program.exitCode !== null) throw new Error(`the measured program exited during the warm-up (${String(program.exitCode)})`);
  const r0 = await requestsServed(slave);
  const t0 = performance.now();
  const [p, s] = await sampleWindow([program.pid!, slave.pid!], windowS);
  const requestsPerS = ((await requestsServed(slave)) - r0) / ((performance.now() - t0) / 1000);
  if (program.exitCode !== null) throw new Error(`the measured program exited during the window (${String(program.exitCode)})`);
  return { program: p!, slave: s!, requestsPerS };
}

/** The windows of several rounds as one: CPU over their whole time (equal windows: the mean), RSS the median of every sample. */
function pooled(ws: readonly ProcWindow[]): ProcWindow {
  const rssSamplesMb = ws.flatMap((w) => w.rssSamplesMb);
  return { cpuPercent: mean(ws.map((w) => w.cpuPercent)), rssMedianMb: median(rssSamplesMb), rssSamplesMb };
}

export const sameJobBench: Bench = {
  name: 'samejob',
  title: 'Same job as a bare script',
  target: 'CPU ≤ 1.5× and RSS ≤ 1.0× a bare modbus-serial + mqtt.js script on the same job; the slave CPU under liftwatch within 1.2×',
  async run(opts): Promise<Measured> {
    if (!mosquittoPath()) {
      return { headline: 'not measured: mosquitto is not installed', ratio: null, pass: null, figures: {}, baseline: {}, notes: ['Install mosquitto (Debian package) to run this benchmark.'] };
    }
    // Interleaved rounds: a program at 2-4 % of a core is moved by the machine's own drift
    // (timer slack, frequency, caches) by a quarter between two 180 s windows minutes apart;
    // alternating the two programs in rounds lets that drift fall on both alike.
    // The steady state, as the job asks: a warm-up of 2 minutes. JIT tiering of a program runs
    // on for minutes (V8 optimises a function once it is hot, and liftwatch has many functions
    // called 16 times a second or less). Measured in 20 s slices of one 300 s run of both
    // programs: liftwatch/script CPU 2.2 at 20-40 s, 1.4-1.9 up to 200 s, 1.4-1.7 after; V8's
    // compiler still took 6 % of liftwatch's samples at 120-180 s (perf). A 20 s warm-up judged
    // the JIT's start-up, not the agent's running cost.
    const rounds = opts.quick ? 1 : 3;
    const warmS = opts.quick ? 30 : 120;
    const windowS = opts.quick ? 20 : 60;
    const tmp = tempDir('samejob');
    const { env: unitEnv, applied } = unitRuntimeEnv();
    const env = { ...unitEnv, LIFTWATCH_REEXEC: '0' };
    const broker = new Mosquitto(tmp.dir);
    let slave: ChildProcess | null = null;
    let program: ChildProcess | null = null;
    try {
      const mqtt = await broker.start();
      const slavePort = await freePort();
      slave = await startSlave(slavePort, process.env);

      const profileFile = path.join(tmp.dir, 'samejob-16.yaml');
      fs.writeFileSync(profileFile, stringify(SAMEJOB_PROFILE));
      const doc = benchConfigDoc({ dir: tmp.dir, dbFile: path.join(tmp.dir, 'agent.db'), busPort: slavePort, mqttUrl: mqtt.url, lifts: UNITS, pollIntervalMs: 100 });
      doc['buses'] = [{ id: 'sim', type: 'modbus-tcp', host: '127.0.0.1', port: slavePort, timeoutMs: 1000, retries: 0 }];
      for (const l of doc['lifts'] as Array<Record<string, unknown>>) l['profile'] = profileFile;
      doc['diagnostics'] = { socket: path.join(tmp.dir, 'agent.sock'), group: false };
      const { file } = writeAndLoad(tmp.dir, doc);

      const bareRounds: Array<Awaited<ReturnType<typeof phase>>> = [];
      const lwRounds: Array<Awaited<ReturnType<typeof phase>>> = [];
      for (let r = 1; r <= rounds; r++) {
        opts.log(`samejob: round ${r}/${rounds}, bare script, ${warmS} s warm-up + ${windowS} s`);
        program = spawn(process.execPath, [path.join(CHILDREN, 'samejob-bare.js'), String(slavePort), mqtt.url], { env, stdio: ['ignore', 'ignore', 'inherit'] });
        bareRounds.push(await phase(program, slave, warmS, windowS));
        await stopChild(program);
        opts.log(`samejob: round ${r}/${rounds}, liftwatch run, ${warmS} s warm-up + ${windowS} s`);
        fs.rmSync(path.join(tmp.dir, 'agent.db'), { force: true }); // every round starts from an empty store
        program = spawn(process.execPath, [BIN, 'run', '--config', file, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
        lwRounds.push(await phase(program, slave, warmS, windowS));
        await stopChild(program);
        program = null;
      }
      const bare = { program: pooled(bareRounds.map((x) => x.program)), slave: pooled(bareRounds.map((x) => x.slave)), requestsPerS: mean(bareRounds.map((x) => x.requestsPerS)) };
      const lw = { program: pooled(lwRounds.map((x) => x.program)), slave: pooled(lwRounds.map((x) => x.slave)), requestsPerS: mean(lwRounds.map((x) => x.requestsPerS)) };
      const perRound = lwRounds.map((x, i) => round(x.program.cpuPercent / bareRounds[i]!.program.cpuPercent, 2));

      const ratios = {
        cpu: lw.program.cpuPercent / bare.program.cpuPercent,
        rss: lw.program.rssMedianMb / bare.program.rssMedianMb,
        slave: lw.slave.cpuPercent / bare.slave.cpuPercent,
      };
      const worst = Math.max(ratios.cpu / 1.5, ratios.rss / 1.0, ratios.slave / 1.2);
      const pct = (v: number) => `${round(v, 2)} %`;
      const mb = (v: number) => `${round(v, 1)} MB`;
      return {
        headline: `liftwatch ${pct(lw.program.cpuPercent)} CPU, ${mb(lw.program.rssMedianMb)}; bare script ${pct(bare.program.cpuPercent)}, ${mb(bare.program.rssMedianMb)}; ratios CPU ${round(ratios.cpu, 2)}× (rounds ${perRound.join(', ')}), RSS ${round(ratios.rss, 2)}×, slave CPU ${round(ratios.slave, 2)}×`,
        ratio: round(worst),
        pass: worst <= 1,
        figures: {
          'liftwatch CPU % of a core': round(lw.program.cpuPercent, 2),
          'liftwatch RSS median MB': round(lw.program.rssMedianMb, 1),
          'slave CPU % under liftwatch': round(lw.slave.cpuPercent, 2),
          'CPU ratio (≤ 1.5)': round(ratios.cpu, 2),
          'CPU ratio per round': perRound.join(', '),
          'RSS ratio (≤ 1.0)': round(ratios.rss, 2),
          'slave CPU ratio (≤ 1.2)': round(ratios.slave, 2),
          'requests/s under liftwatch': round(lw.requestsPerS, 1),
        },
        baseline: {
          'bare script CPU % of a core': round(bare.program.cpuPercent, 2),
          'bare script RSS median MB': round(bare.program.rssMedianMb, 1),
          'slave CPU % under the bare script': round(bare.slave.cpuPercent, 2),
          'requests/s under the bare script': round(bare.requestsPerS, 1),
        },
        notes: [
          `${UNITS} units × 16 holding registers, 15 of them changing every second; each program polls every unit every 100 ms over Modbus TCP and publishes with QoS 1 to mosquitto; ${rounds} round(s), each the script then liftwatch, each started afresh: ${warmS} s warm-up, then a ${windowS} s window read from /proc once a second. CPU pooled over the rounds, RSS the median of every sample.`,
          `Both programs with the unit's settings: ${Object.entries(applied).map(([k, v]) => `${k}=${v}`).join(' ')}; the agent with LIFTWATCH_REEXEC=0 (the settings are already in NODE_OPTIONS, as under systemd).`,
          'Ratio column = worst of CPU/1.5, RSS/1.0, slave CPU/1.2 (≤ 1 passes).',
        ],
      };
    } finally {
      await stopChild(program);
      await stopChild(slave);
      await broker.stop();
      tmp.remove();
    }
  },
};

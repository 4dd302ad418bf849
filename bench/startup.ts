/**
 * Benchmark 7, start-up of the command line: wall time and peak RSS of `liftwatch --help` and
 * of `liftwatch status` against a running agent, each against `node -e 0` (the runtime's own
 * start) measured in the same rounds. Every round runs the three in turn; the figures are the
 * medians. Target: both commands within 2× of `node -e 0` in wall time and in peak RSS.
 *
 * The agent is a real `liftwatch run` (two simulated lifts served by `liftwatch simulate` over
 * RTU-over-TCP, mosquitto as broker, the embedded broker when mosquitto is absent), started
 * once and left running. Peak RSS is the process's own `ru_maxrss`, written at exit by a
 * one-line preload (`-r`) given to all three alike; wall time is spawn to exit, as a shell
 * sees it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Measured } from './lib/bench.js';
import { freePort, sleep, stopChild, tempDir } from './lib/env.js';
import { benchConfigDoc, writeAndLoad } from './lib/config.js';
import { Mosquitto, mosquittoPath } from './lib/mosquitto.js';
import { median, round } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

interface Sample {
  ms: number;
  rssMb: number;
  status: number | null;
}

/** One start of `node [-r preload] args`, timed from spawn to exit. */
function once(args: string[], preload: string, rssFile: string, env: NodeJS.ProcessEnv): Sample {
  fs.rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', preload, ...args], { env: { ...env, LW_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const ms = performance.now() - t0;
  const kb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
  return { ms, rssMb: kb / 1024, status: r.status };
}

export const startupBench: Bench = {
  name: 'startup',
  title: 'CLI start-up',
  target: '`liftwatch --help` and `liftwatch status` (agent running) within 2× of `node -e 0`, wall time and peak RSS',
  async run(opts): Promise<Measured> {
    const rounds = opts.quick ? 9 : 21;
    const tmp = tempDir('startup');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS']; // the commands as a technician's shell starts them
    const preload = path.join(tmp.dir, 'rss.cjs');
    fs.writeFileSync(preload, "process.on('exit', () => require('fs').writeFileSync(process.env.LW_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n");
    const rssFile = path.join(tmp.dir, 'rss.txt');
    let sim: ChildProcess | null = null;
    let agent: ChildProcess | null = null;
    const broker = mosquittoPath() ? new Mosquitto(tmp.dir) : null;
    try {
      const busPort = await freePort();
      sim = spawn(process.execPath, [BIN, 'simulate', '--listen', `tcp://127.0.0.1:${busPort}`, '--units', '1,2'], { env, stdio: 'ignore' });
      const mqtt = broker ? await broker.start() : null;
      const brokerPort = mqtt ? mqtt.port : await freePort();
      const doc = benchConfigDoc({ dir: tmp.dir, dbFile: path.join(tmp.dir, 'agent.db'), busPort, mqttUrl: mqtt ? mqtt.url : `mqtt://127.0.0.1:${brokerPort}`, lifts: 2, pollIntervalMs: 250 });
      doc['diagnostics'] = { socket: path.join(tmp.dir, 'agent.sock'), group: false };
      if (!mqtt) doc['broker'] = { enabled: true, host: '127.0.0.1', port: brokerPort };
      const { file } = writeAndLoad(tmp.dir, doc);
      agent = spawn(process.execPath, [BIN, 'run', '--config', file, '--log-level', 'warn'], { env, stdio: 'ignore' });
      const status = [BIN, 'status', '--config', file];
      const deadline = Date.now() + 20_000;
      while (spawnSync(process.execPath, status, { env, stdio: 'ignore' }).status !== 0) {
        if (Date.now() > deadline) throw new Error('the agent did not answer `liftwatch status` within 20 s');
        await sleep(250);
      }
      const cases = { node: ['-e', '0'], help: [BIN, '--help'], status } as const;
      const samples: Record<keyof typeof cases, Sample[]> = { node: [], help: [], status: [] };
      for (const args of Object.values(cases)) once([...args], preload, rssFile, env); // warm the file cache
      for (let r = 0; r < rounds; r++) {
        for (const [k, args] of Object.entries(cases) as Array<[keyof typeof cases, readonly string[]]>) samples[k].push(once([...args], preload, rssFile, env));
      }
      const failedRuns = samples.help.filter((s) => s.status !== 0).length + samples.status.filter((s) => s.status !== 0).length;
      const med = (k: keyof typeof cases) => ({ ms: median(samples[k].map((s) => s.ms)), rss: median(samples[k].map((s) => s.rssMb)) });
      const node = med('node');
      const help = med('help');
      const st = med('status');
      const ratios = { 'help wall': help.ms / node.ms, 'help RSS': help.rss / node.rss, 'status wall': st.ms / node.ms, 'status RSS': st.rss / node.rss };
      const worst = Math.max(...Object.values(ratios));
      const ms = (v: number) => `${Math.round(v)} ms`;
      const mb = (v: number) => `${round(v, 1)} MB`;
      return {
        headline: `--help ${ms(help.ms)}, ${mb(help.rss)}; status ${ms(st.ms)}, ${mb(st.rss)}; node -e 0 ${ms(node.ms)}, ${mb(node.rss)} (medians of ${rounds}); ratios ${Object.values(ratios).map((v) => round(v, 2)).join(' / ')} (help wall, help RSS, status wall, status RSS)`,
        ratio: round(worst / 2),
        pass: worst <= 2 && failedRuns === 0,
        figures: {
          '--help wall ms': round(help.ms, 0),
          '--help peak RSS MB': round(help.rss, 1),
          'status wall ms': round(st.ms, 0),
          'status peak RSS MB': round(st.rss, 1),
          ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [`${k} / node -e 0`, round(v, 2)])),
          'failed runs': failedRuns,
        },
        baseline: { 'node -e 0 wall ms': round(node.ms, 0), 'node -e 0 peak RSS MB': round(node.rss, 1) },
        notes: [
          `${rounds} rounds, each running node -e 0, liftwatch --help and liftwatch status once, in that order; medians. Ratio column = worst of the four ratios / 2 (≤ 1 passes).`,
          `status asks a running \`liftwatch run\` (2 simulated lifts over RTU-over-TCP, ${mqtt ? 'mosquitto' : 'the embedded broker'}) over its diagnostics socket.`,
          'Commands run without NODE_OPTIONS; peak RSS is ru_maxrss written at exit by a preload given to all three.',
        ],
      };
    } finally {
      await stopChild(agent);
      await stopChild(sim);
      await broker?.stop();
      tmp.remove();
    }
  },
};

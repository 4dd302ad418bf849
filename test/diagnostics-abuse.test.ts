// The diagnostics sockets against careless or hostile local clients, on the real agent
// (`liftwatch run`): an unprivileged user writing megabytes of `ping` to the read-only socket
// without reading the answers once took the agent from 72 to 194 MB RSS, where it stayed;
// arguments were not checked (`history` took `limit: -1`, `signals` with `liftId` as an object
// answered with every lift); a permission failure read as "no agent (ENOENT)", naming group
// liftwatch whatever the config said.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { DiagnosticsClient } from '../src/diagnostics/client.js';
import { MAX_CONNECTIONS } from '../src/diagnostics/server.js';
import { bin, cli, rig } from './helpers/cli-agent.js';
import { waitFor } from './helpers/e2e.js';
import { patient } from './helpers/patience.js';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One raw request on a fresh connection; the answer line as an object. */
function ask(file: string, line: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(file);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.destroy();
        resolve(JSON.parse(buf.slice(0, nl)) as Record<string, any>);
      }
    });
    s.on('error', reject);
    s.write(line + '\n');
  });
}

/** The agent's own pid (`liftwatch run` may run the agent in a child with its V8 limits). */
async function agentPid(socket: string): Promise<number> {
  const c = await new DiagnosticsClient(socket, null).connect();
  try {
    return (await c.request<{ agent: { pid: number } }>('status')).agent.pid;
  } finally {
    c.close();
  }
}

async function polls(socket: string): Promise<number> {
  const c = await new DiagnosticsClient(socket, null).connect();
  try {
    const v = await c.request<{ buses: Array<{ units: Array<{ polls: number }> }> }>('status');
    return v.buses.flatMap((b) => b.units).reduce((a, u) => a + u.polls, 0);
  } finally {
    c.close();
  }
}

void t.test('clients flooding the read-only socket without reading: bounded memory, the agent polls and answers', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.startAgent();
  const pid = await agentPid(r.socket);
  const ro = r.socket.replace(/\.sock$/, '-ro.sock');
  await new Promise((res) => setTimeout(res, 1000));
  const baseline = rssMb(pid);
  const pollsBefore = await polls(r.socket);
  const line = '{"id":1,"op":"ping"}\n';
  const chunk = Buffer.from(line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))); // 10 MB each
  const flooders: net.Socket[] = [];
  for (let i = 0; i < 6; i++) {
    const s = net.connect(ro);
    s.on('error', () => undefined);
    s.pause(); // never reads an answer
    s.write(chunk);
    flooders.push(s);
  }
  t.teardown(() => flooders.forEach((s) => s.destroy()));
  let peak = baseline;
  const until = Date.now() + 4000;
  while (Date.now() < until) {
    peak = Math.max(peak, rssMb(pid));
    await new Promise((res) => setTimeout(res, 100));
  }
  // Meanwhile the agent answers status at once and keeps polling.
  const started = Date.now();
  const pollsAfter = await polls(r.socket);
  const took = Date.now() - started;
  t.ok(took < patient(1000), `status answered in ${took} ms during the flood`);
  t.ok(pollsAfter > pollsBefore + 10, `the agent kept polling (${pollsBefore} -> ${pollsAfter} polls)`);
  peak = Math.max(peak, rssMb(pid));
  t.ok(peak - baseline < 40, `RSS ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MB: bounded (60 MB of requests were written)`);
  const unit = fs.readFileSync(new URL('../../systemd/liftwatch.service', import.meta.url), 'utf8');
  const memoryHigh = Number(/^MemoryHigh=(\d+)M$/m.exec(unit)?.[1]);
  t.ok(memoryHigh > 0, 'the unit sets MemoryHigh');
  t.ok(peak < memoryHigh, `peak ${peak.toFixed(0)} MB within the unit's MemoryHigh (${memoryHigh} MB)`);
  flooders.forEach((s) => s.destroy());
  const ok = await ask(ro, '{"id":7,"op":"ping"}');
  t.match(ok, { id: 7, ok: true }, 'the read-only socket serves others afterwards');
  t.equal(await r.stopAgent(), 0);
});

void t.test('a cap on connections at once; places free up when clients leave', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.startAgent();
  const ro = r.socket.replace(/\.sock$/, '-ro.sock');
  const held: net.Socket[] = [];
  let closedByAgent = 0;
  for (let i = 0; i < MAX_CONNECTIONS + 8; i++) {
    const s = net.connect(ro);
    s.on('error', () => undefined);
    s.on('close', () => closedByAgent++);
    held.push(s);
    await new Promise((res) => s.once('connect', res));
  }
  await waitFor(() => closedByAgent >= 8, 5000, 'connections beyond the cap closed');
  await new Promise((res) => setTimeout(res, 200));
  t.equal(closedByAgent, 8, `the agent kept ${MAX_CONNECTIONS} and closed the rest`);
  held.forEach((s) => s.destroy());
  await new Promise((res) => setTimeout(res, 200));
  t.match(await ask(ro, '{"id":1,"op":"ping"}'), { ok: true }, 'a new client is served once others left');
  t.equal(await r.stopAgent(), 0);
});

void t.test('request arguments are checked against each op\'s schema', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.startAgent();
  const ro = r.socket.replace(/\.sock$/, '-ro.sock');
  const bad: Array<[string, RegExp]> = [
    ['{"id":1,"op":"history","args":{"limit":-1}}', /args\.limit: expected an integer from 1 to 10000, got -1/],
    ['{"id":1,"op":"history","args":{"limit":1000000}}', /args\.limit: expected an integer from 1 to 10000/],
    ['{"id":1,"op":"history","args":{"limit":2.5}}', /args\.limit: expected an integer/],
    ['{"id":1,"op":"history","args":{"limit":"5"}}', /args\.limit: expected an integer from 1 to 10000, got a string/],
    ['{"id":1,"op":"signals","args":{"liftId":{"$ne":1}}}', /unknown argument "liftId" for signals \(allowed: lift\)/],
    ['{"id":1,"op":"signals","args":{"lift":{"$ne":1}}}', /args\.lift: expected a string, got an object/],
    ['{"id":1,"op":"alarms","args":["A"]}', /args: expected an object, got a list/],
    ['{"id":1,"op":"status","args":{"verbose":true}}', /unknown argument "verbose" for status \(allowed: none\)/],
    [`{"id":1,"op":"history","args":{"since":"${'9'.repeat(5000)}"}}`, /args\.since: expected at most 64 characters, got 5000/],
  ];
  for (const [line, message] of bad) {
    const a = await ask(ro, line);
    t.match(a, { ok: false, error: { code: 'BAD_REQUEST', message } }, line.slice(0, 80));
  }
  t.match(await ask(r.socket, '{"id":1,"op":"end-alarm","args":{}}'), { ok: false, error: { code: 'BAD_REQUEST', message: /args\.lift: expected a string, got nothing \(required for end-alarm\)/ } });
  t.match(await ask(r.socket, '{"id":1,"op":"test-alarm","args":{"lift":"A","timeoutMs":-5}}'), { ok: false, error: { code: 'BAD_REQUEST' } });
  t.match(await ask(ro, '{"id":1,"op":"signals","args":{"lift":"A"}}'), { ok: true, result: [{ liftId: 'A' }] }, 'a good request still works');
  const cliLimit = await cli(['history', '--config', r.configFile, '--limit', '20000']);
  t.equal(cliLimit.code, 2, 'the CLI refuses a --limit beyond the bound (exit 2)');
  t.match(cliLimit.stderr, /--limit a whole number from 1 to 10000/);
  t.equal(await r.stopAgent(), 0);
});

/** The real CLI as uid nobody (only root can start it so). */
function asNobody(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { uid: 65534, gid: 65534, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

const notRoot = process.getuid?.() === 0 ? false : 'needs root to run the CLI as another user';
void t.test('a refusal by the file system is ACCESS_DENIED naming the configured group, never NO_AGENT', { skip: notRoot }, async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  fs.chmodSync(r.dir, 0o755);
  fs.writeFileSync(r.configFile, fs.readFileSync(r.configFile, 'utf8').replace(/^diagnostics: .*$/m, `diagnostics: { socket: ${JSON.stringify(r.socket)}, readOnlySocket: false, group: lwtech }`));
  // No read-only socket for the rig to wait on: started here, ready when the full one answers.
  r.agent = spawn(process.execPath, [bin, 'run', '--config', r.configFile, '--log-level', 'warn'], { stdio: 'ignore' });
  await waitFor(() => fs.existsSync(r.socket), 15_000, 'the socket');
  for (let ready = false; !ready; ) {
    const c = new DiagnosticsClient(r.socket, null);
    ready = await c.connect().then(() => c.request('ping', {}, 2000)).then(() => true, () => false);
    c.close();
    if (!ready) await new Promise((res) => setTimeout(res, 50));
  }
  const viaConfig = await asNobody(['status', '--config', r.configFile]);
  t.equal(viaConfig.code, 5, `exit 5 (denied): ${viaConfig.stderr}`);
  t.match(viaConfig.stderr, /permission denied and no read-only socket is configured \(run as root, the service user, or a member of group lwtech\)/);
  t.notMatch(viaConfig.stderr, /NO_AGENT|ENOENT|group liftwatch/);
  // --socket without a config: the default read-only path is absent here.
  const viaSocket = await asNobody(['status', '--socket', r.socket]);
  t.equal(viaSocket.code, 5, viaSocket.stderr);
  t.match(viaSocket.stderr, new RegExp(`${path.basename(r.socket)}: permission denied and the read-only socket .*-ro\\.sock does not answer \\(ENOENT\\)`));
  t.notMatch(viaSocket.stderr, /NO_AGENT/);
  t.equal(await r.stopAgent(), 0);
});

// The technician's commands through the real binary: `liftwatch run` as a child
// process with its diagnostics socket, the simulator and a broker in this process, and each
// command a separate `liftwatch ...` process, as on site.
import fs from 'node:fs';
import t from 'tap';
import { AT_REST, findEvent, subscribe, waitFor } from './helpers/e2e.js';
import { bin, cli, rig } from './helpers/cli-agent.js';
import { needTool } from './helpers/tools.js';

const r = await rig();
t.teardown(() => r.close());
const c = ['--config', r.configFile];
/** stdout as JSON, failing with the command's stderr (not a bare JSON error) when it did not succeed. */
function json(res: { code: number | null; stdout: string; stderr: string }): any {
  if (res.code !== 0) throw new Error(`exit ${res.code}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}
const lift = r.sim.lift(1);
const set = (extra: Record<string, boolean> = {}): void => {
  lift.release();
  lift.hold({ ...AT_REST, ...extra });
};
set();
const sub = await subscribe(r.brokerPort, `${r.root}/#`);
t.teardown(() => sub.close());
await r.startAgent();

void t.test('the socket files: full access 0660, read-only 0666', async (t) => {
  t.equal(fs.statSync(r.socket).mode & 0o777, 0o660);
  t.equal(fs.statSync(r.socket.replace(/\.sock$/, '-ro.sock')).mode & 0o777, 0o666);
});

void t.test('status: table by default, JSON with --json, no colour when piped', async (t) => {
  await waitFor(() => sub.messages.find((m) => m.topic === `${r.root}/lift/A/state` && m.payload['link'] === 'ok'), 10_000, 'lift A link ok');
  const js = await cli(['status', ...c, '--json']);
  t.equal(js.code, 0, js.stderr);
  const v = JSON.parse(js.stdout) as Record<string, any>;
  t.equal(v['running'], true);
  t.equal(v['agent'].configFile, r.configFile);
  t.equal(v['uplink'].connected, true);
  t.match(v['lifts'], [{ id: 'A', link: 'ok', floor: '1', doors: 'closed' }]);
  t.match(v['buses'], [{ busId: 'field', state: 'open' }]);
  t.type(v['outbox'].pending, 'number');
  const table = await cli(['status', ...c]);
  t.equal(table.code, 0);
  t.match(table.stdout, /LIFT\s+LABEL\s+LINK\s+MODE/);
  t.match(table.stdout, /running since:/);
  t.notMatch(table.stdout, /\x1b\[/, 'no escape codes on a pipe');
  const forced = await cli(['status', ...c], { env: { FORCE_COLOR: '1' } });
  t.match(forced.stdout, /\x1b\[32mconnected/, 'colour when forced (as on a TTY)');
});

void t.test('alarms, end-alarm (EN 81-28 on site), history', async (t) => {
  const none = await cli(['alarms', ...c, '--json']);
  t.same(json(none), []);
  set({ doorZone: false, alarmButton: true });
  const raised = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'raised'), 10_000, 'trapped raised');
  set();
  const active = await cli(['alarms', ...c, '--json']);
  t.match(json(active), [{ liftId: 'A', code: 'PASSENGER_TRAPPED', severity: 'critical', alarmId: raised['alarmId'] }]);
  const readable = await cli(['alarms', ...c]);
  t.match(readable.stdout, /A\s+critical\s+PASSENGER_TRAPPED/);

  const ro = await cli(['end-alarm', '--socket', r.socket.replace(/\.sock$/, '-ro.sock'), '--lift', 'A']);
  t.equal(ro.code, 5, 'refused on the read-only socket, exit 5');
  t.match(ro.stderr, /FORBIDDEN/);

  const ended = await cli(['end-alarm', ...c, '--lift', 'A', '--by', 'tech 7']);
  t.equal(ended.code, 0, ended.stderr);
  t.match(ended.stdout, /ended PASSENGER_TRAPPED/);
  const eoa = await waitFor(() => findEvent(sub.messages, 'PASSENGER_TRAPPED', 'end_of_alarm'), 5000, 'end_of_alarm on MQTT');
  t.equal(eoa['endOfAlarmSource'], 'cli');
  t.same(json(await cli(['alarms', ...c, '--json'])), []);

  const h = await cli(['history', ...c, '--lift', 'A', '--since', '1h', '--json']);
  t.equal(h.code, 0);
  const rows = JSON.parse(h.stdout) as Array<Record<string, unknown>>;
  t.match(rows, [{ code: 'PASSENGER_TRAPPED', lifecycle: 'raised' }, { code: 'PASSENGER_TRAPPED', lifecycle: 'end_of_alarm', detail: /cli/ }]);
  t.ok((rows[0]?.['seq'] as number) < (rows[1]?.['seq'] as number), 'oldest first');
});

void t.test('test-alarm: answered once the broker acknowledged the TEST_CALL', async (t) => {
  const res = await cli(['test-alarm', ...c, '--lift', 'A', '--json']);
  t.equal(res.code, 0, res.stderr);
  const v = JSON.parse(res.stdout) as { seq: number; eventId: string; topic: string };
  t.equal(v.topic, `${r.root}/lift/A/event`);
  const seen = await waitFor(() => sub.messages.find((m) => m.payload['eventId'] === v.eventId), 5000, 'TEST_CALL on MQTT');
  t.equal(seen.payload['code'], 'TEST_CALL');
  const out = await cli(['outbox', ...c, '--json']);
  t.equal(json(out).pending, 0, 'nothing left pending');
});

void t.test('signals: raw and debounced; --watch redraws in place', async (t) => {
  const s = await cli(['signals', ...c, '--lift', 'A', '--json']);
  t.equal(s.code, 0);
  t.match(json(s), [{ liftId: 'A', raw: { doorZone: true, floor: 1 }, debounced: { doorZone: true, floor: 1 } }]);
  const w = await cli(['signals', ...c, '--watch', '--count', '3', '--interval', '100', '--tty']);
  t.equal(w.code, 0);
  t.equal(w.stdout.split('\x1b[H').length - 1, 3, 'cursor home once per refresh');
  t.match(w.stdout, '\x1b[?25l', 'cursor hidden while watching');
  t.match(w.stdout, /\x1b\[\?25h$/, 'and shown again at the end');
  t.match(w.stdout, /doorZone\s+on\s+on/);
});

void t.test('signals --watch on a real pty (script(1))', async (t) => {
  const script = needTool(t, 'script', 'bsdutils');
  if (!script) return;
  const { spawn } = await import('node:child_process');
  // script(1) runs `$SHELL -c cmd`. Without `exec`, dash stays as the CLI's parent in the
  // pty's process group, dies of the same SIGINT and script reports 130: a CI failure that
  // bash (which execs a lone command) hid locally. SHELL is pinned so every machine runs this alike.
  const cmd = `exec ${process.execPath} ${bin} signals --config ${r.configFile} --watch --interval 100`;
  const env = { ...process.env, SHELL: '/bin/sh', NO_COLOR: '', FORCE_COLOR: '' }; // tap may set these for its own output
  const child = spawn(script, ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  await waitFor(() => out.split('\x1b[H').length > 3, 10_000, 'three refreshes on the pty');
  t.match(out, '\x1b[2J', 'screen cleared once on a TTY without --tty');
  t.match(out, /\x1b\[1mLift A/, 'colour on a TTY');
  child.stdin.write('\x03'); // Ctrl-C through the pty's line discipline: SIGINT to the CLI
  t.equal(await exited, 0, 'Ctrl-C ends the watch with exit 0');
  t.match(out, '\x1b[?25h', 'cursor restored');
});

void t.test('usage errors exit 2', async (t) => {
  const unknown = await cli(['alarms', ...c, '--lift', 'Z']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /no lift "Z".*known: A/);
  const noLift = await cli(['end-alarm', ...c]);
  t.equal(noLift.code, 2);
  const help = await cli(['test-alarm', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Example:\n\s+.*liftwatch test-alarm --lift A/);
});

void t.test('agent stopped: status exits 4 and reads the store read-only; signals exits 4', async (t) => {
  t.equal(await r.stopAgent(), 0);
  t.notOk(fs.existsSync(r.socket), 'socket removed on stop');
  const st = await cli(['status', ...c]);
  t.equal(st.code, 4);
  t.match(st.stdout, /agent NOT RUNNING/);
  t.match(st.stderr, /read-only/);
  const al = await cli(['alarms', ...c, '--json']);
  t.equal(al.code, 0);
  t.same(json(al), [], 'the ended alarm is not active in the store either');
  const hist = await cli(['history', ...c, '--json']);
  t.ok((JSON.parse(hist.stdout) as unknown[]).length >= 3, 'history from the file');
  const sig = await cli(['signals', ...c]);
  t.equal(sig.code, 4);
  t.match(sig.stderr, /NO_AGENT/);
  const eoa = await cli(['end-alarm', ...c, '--lift', 'A']);
  t.equal(eoa.code, 4);
});

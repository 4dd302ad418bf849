// The diagnostics socket itself: NDJSON framing, the read-only socket refusing state
// changes, permissions, stale-socket recovery, a second agent refused, clean stop.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DiagnosticsClient } from '../src/diagnostics/client.js';
import { readOnlyPath } from '../src/diagnostics/protocol.js';
import { DiagnosticsServer, type Handlers } from '../src/diagnostics/server.js';
import { applyPermissions, groupId } from '../src/diagnostics/socket-file.js';
import { parseSince } from '../src/diagnostics/views.js';
import { ConsoleLogger } from './helpers/console-logger.js';

const logger = new ConsoleLogger({ level: 'silent' });

function handlers(calls: string[]): Handlers {
  const h = (op: string) => (args: Record<string, unknown>) => {
    calls.push(op);
    return { op, args };
  };
  return {
    ping: h('ping'),
    status: h('status'),
    alarms: h('alarms'),
    history: h('history'),
    signals: h('signals'),
    outbox: h('outbox'),
    'end-alarm': h('end-alarm'),
    'test-alarm': async (args) => {
      await new Promise((r) => setTimeout(r, 30));
      calls.push('test-alarm');
      return { slow: true, args };
    },
  };
}

async function serve(t: { teardown(fn: () => unknown): void }, calls: string[] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-diag-'));
  const socket = path.join(dir, 'd.sock');
  const server = new DiagnosticsServer({ socket, readOnlySocket: readOnlyPath(socket), group: 'no-such-group-xyz', handlers: handlers(calls), logger });
  await server.start();
  t.teardown(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, socket, ro: readOnlyPath(socket), server, calls };
}

/** Raw NDJSON exchange: write lines, read `n` answer lines. */
function exchange(file: string, text: string, n: number): Promise<Array<Record<string, any>>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(file);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\n').filter(Boolean);
      if (lines.length >= n) {
        s.destroy();
        resolve(lines.map((l) => JSON.parse(l) as Record<string, any>));
      }
    });
    s.on('error', reject);
    s.write(text);
  });
}

void t.test('answers in order, one JSON line per request, errors with stable codes', async (t) => {
  const { socket } = await serve(t);
  const r = await exchange(socket, '{"id":1,"op":"test-alarm","args":{"lift":"A"}}\n{"id":2,"op":"status"}\nnot json\n{"id":4,"op":"reboot"}\n', 4);
  t.match(r[0], { id: 1, ok: true, result: { slow: true, args: { lift: 'A' } } }, 'the slow one first');
  t.match(r[1], { id: 2, ok: true, result: { op: 'status' } });
  t.match(r[2], { ok: false, error: { code: 'BAD_REQUEST' } });
  t.match(r[3], { id: 4, ok: false, error: { code: 'BAD_REQUEST', message: /unknown op "reboot"/ } });
});

void t.test('the read-only socket answers reads and refuses state changes', async (t) => {
  const { ro, calls } = await serve(t);
  const r = await exchange(ro, '{"id":1,"op":"alarms"}\n{"id":2,"op":"end-alarm","args":{"lift":"A"}}\n{"id":3,"op":"test-alarm","args":{"lift":"A"}}\n', 3);
  t.match(r[0], { ok: true });
  t.match(r[1], { ok: false, error: { code: 'FORBIDDEN' } });
  t.match(r[2], { ok: false, error: { code: 'FORBIDDEN' } });
  t.same(calls, ['alarms'], 'the refused handlers never ran');
});

void t.test('permissions: 0660 full access, 0666 read-only; a missing group is not fatal', async (t) => {
  const { socket, ro } = await serve(t);
  t.equal(fs.statSync(socket).mode & 0o777, 0o660);
  t.equal(fs.statSync(ro).mode & 0o777, 0o666);
  t.ok(fs.statSync(socket).isSocket());
});

void t.test('client: typed errors for no agent; requests through the full socket', async (t) => {
  const { socket } = await serve(t);
  const c = await new DiagnosticsClient(socket, readOnlyPath(socket)).connect();
  t.teardown(() => c.close());
  t.match(await c.request('end-alarm', { lift: 'B' }), { op: 'end-alarm', args: { lift: 'B' } });
  t.equal(c.readOnly, false);
  const none = new DiagnosticsClient(path.join(os.tmpdir(), 'lw-nothing-here.sock'), null);
  await t.rejects(none.connect(), { code: 'NO_AGENT', name: 'DiagnosticsError' });
});

/** Collects warnings (the demo must start without the "group does not exist" one). */
function warningsLogger(warnings: string[]): typeof logger {
  const l = {
    debug: () => {},
    info: () => {},
    warn: (msg: string) => void warnings.push(msg),
    error: () => {},
    child: () => l,
  };
  return l as unknown as typeof logger;
}

void t.test('group: a missing group is warned about; group null (config false) leaves it quietly', async (t) => {
  for (const [group, expected] of [['no-such-group-xyz', 1], [null, 0]] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-diag-g-'));
    const socket = path.join(dir, 'd.sock');
    const warnings: string[] = [];
    const server = new DiagnosticsServer({ socket, readOnlySocket: null, group, handlers: handlers([]), logger: warningsLogger(warnings) });
    await server.start();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    t.equal(warnings.filter((w) => w.includes('does not exist')).length, expected, `group ${String(group)}`);
    t.equal(fs.existsSync(socket), false);
  }
});

const asRoot = process.getuid?.() === 0 ? 'running as root: the kernel lets root connect whatever the mode' : false;
void t.test('client falls back to the read-only socket when the full one is refused', { skip: asRoot }, async (t) => {
  const { socket } = await serve(t);
  fs.chmodSync(socket, 0o600);
  fs.chmodSync(path.dirname(socket), 0o755);
  const c = await new DiagnosticsClient(socket, readOnlyPath(socket)).connect();
  t.teardown(() => c.close());
  t.equal(c.readOnly, true);
});

// As root, a real stranger: a child process running as `nobody` (uid 65534). The kernel refuses
// it the 0660 socket, the client falls back to the read-only one, and a state change is FORBIDDEN.
void t.test('a stranger (uid nobody) gets the read-only socket and cannot end an alarm', { skip: asRoot ? false : 'needs root to start a process as another user' }, async (t) => {
  const { socket, dir, calls } = await serve(t);
  fs.chmodSync(dir, 0o755);
  // `nobody` may not be able to read this checkout (a clone in root's 0700 home) nor tap's
  // loaders in its node_modules: the client's two modules are copied to a world-readable
  // directory and the child starts without tap's NODE_OPTIONS.
  const readable = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-stranger-'));
  t.teardown(() => fs.rmSync(readable, { recursive: true, force: true }));
  for (const m of ['client.js', 'protocol.js']) fs.copyFileSync(new URL(`../src/diagnostics/${m}`, import.meta.url), path.join(readable, m));
  fs.writeFileSync(path.join(readable, 'package.json'), '{ "type": "module" }\n');
  for (const f of fs.readdirSync(readable)) fs.chmodSync(path.join(readable, f), 0o644);
  fs.chmodSync(readable, 0o755);
  const client = path.join(readable, 'client.js');
  const code = `
    const { DiagnosticsClient } = await import(${JSON.stringify(client)});
    const c = await new DiagnosticsClient(${JSON.stringify(socket)}, ${JSON.stringify(readOnlyPath(socket))}).connect();
    const out = { readOnly: c.readOnly, alarms: await c.request('alarms') };
    try { await c.request('end-alarm', { lift: 'A' }); out.ended = true; } catch (e) { out.refused = e.code; }
    c.close();
    console.log(JSON.stringify(out));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { uid: 65534, gid: 65534, cwd: readable, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const status = await new Promise((r) => child.once('exit', r));
  t.equal(status, 0, err);
  t.match(JSON.parse(out), { readOnly: true, alarms: { op: 'alarms' }, refused: 'FORBIDDEN' });
  t.same(calls, ['alarms'], 'end-alarm never reached the agent');
});

void t.test('a stale socket file is replaced; a live one is refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-diag-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 's.sock');
  // A socket file left behind by a killed agent (SIGKILL: nothing unlinks it).
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  t.ok(fs.existsSync(socket), 'stale file present');
  const first = new DiagnosticsServer({ socket, readOnlySocket: null, group: 'x', handlers: handlers([]), logger });
  await first.start();
  t.teardown(() => first.stop());
  const second = new DiagnosticsServer({ socket, readOnlySocket: null, group: 'x', handlers: handlers([]), logger });
  await t.rejects(second.start(), { code: 'NOT_AVAILABLE', name: 'DiagnosticsError' });
  t.ok(fs.existsSync(socket), 'the live socket was left alone');
  await first.stop();
  t.notOk(fs.existsSync(socket), 'stop removes the socket file');
});

void t.test('helpers: groupId from /etc/group, parseSince', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-grp-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'group'), 'root:x:0:\nliftwatch:x:998:svc,tech\n');
  t.equal(groupId('liftwatch', path.join(dir, 'group')), 998);
  t.equal(groupId('nope', path.join(dir, 'group')), null);
  const now = Date.parse('2026-11-22T12:00:00Z');
  t.equal(parseSince('24h', now), now - 86_400_000);
  t.equal(parseSince('30m', now), now - 1_800_000);
  t.equal(parseSince('2026-11-01', now), Date.parse('2026-11-01'));
  t.equal(parseSince('yesterday', now), null);
});

// Found under a real systemd (systemd/verify-in-container.sh): the unit's SystemCallFilter refuses
// chown(2) with EPERM, and the socket already has the service's group, so every start logged
// "could not give ... to group liftwatch: EPERM". A chown that changes nothing is not attempted.
void t.test('applyPermissions: no chown when the file already has the group, a warning when chown is refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-perm-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'f.sock');
  fs.writeFileSync(file, '');
  const own = fs.statSync(file).gid;
  const other = own === 4242 ? 4243 : 4242;
  const groupFile = path.join(dir, 'group');
  fs.writeFileSync(groupFile, `same:x:${own}:\nother:x:${other}:\n`);
  const calls: number[] = [];
  const refuse = (_f: string, _u: number, gid: number): void => {
    calls.push(gid);
    throw Object.assign(new Error('Operation not permitted'), { code: 'EPERM' });
  };
  t.equal(applyPermissions(file, 0o660, 'same', { groupFile, chown: refuse }), null, 'no warning');
  t.same(calls, [], 'chown not called when the group is already right');
  t.equal(fs.statSync(file).mode & 0o777, 0o660, 'mode applied');
  t.match(applyPermissions(file, 0o660, 'other', { groupFile, chown: refuse }), /could not give .* to group other: EPERM/);
  t.same(calls, [other], 'chown attempted for a different group');
  t.match(applyPermissions(file, 0o660, 'nope', { groupFile, chown: refuse }), /group nope does not exist/);
  t.equal(applyPermissions(file, 0o666, null, { groupFile, chown: refuse }), null, 'no group: mode only');
  t.same(calls, [other]);
});

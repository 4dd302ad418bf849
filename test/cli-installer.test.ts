// The installer's commands through the real binary: profiles, init (flags and
// interactive), probe on a socat pty against the simulator, commission with the agent stopped
// and running, its report files and its retained MQTT message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Simulator } from '../src/sim/simulator.js';
import { subscribe, waitFor } from './helpers/e2e.js';
import { cli, rig, root } from './helpers/cli-agent.js';
import { needTool, ptyPair } from './helpers/tools.js';

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-inst-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

void t.test('profiles list, show, lint', async (t) => {
  const list = await cli(['profiles', 'list', '--json']);
  t.equal(list.code, 0, list.stderr);
  t.match(JSON.parse(list.stdout), [{ id: String }]);
  t.ok((JSON.parse(list.stdout) as Array<{ id: string }>).some((p) => p.id === 'generic-di-16'));
  const show = await cli(['profiles', 'show', 'liftwatch-sim']);
  t.equal(show.code, 0);
  t.match(show.stdout, /safetyChain\s+holding\s+0\s+0\s+bit/);
  const missing = await cli(['profiles', 'show', 'no-such-profile']);
  t.equal(missing.code, 2);
  const lint = await cli(['profiles', 'lint']);
  t.equal(lint.code, 0, lint.stdout);
  const bad = await cli(['profiles', 'lint', path.join(root, 'test/fixtures/config/devices/bad-profile.yaml')]);
  t.equal(bad.code, 7, 'exit 7 on a problem');
  t.match(bad.stdout, /FAIL.*bad-profile\.yaml[\s\S]*signals\.doorZone\.address: expected an integer from 0 to 65535, got 70000 \(line 8\)/);
});

void t.test('init from flags writes a config that config check accepts', async (t) => {
  const dir = tmp(t);
  const out = path.join(dir, 'lw.yaml');
  const args = ['init', '--yes', '--out', out, '--site-id', 'hv12', '--site-name', 'Harbour View 12', '--gateway-id', 'hv12-mr1', '--port', '/dev/ttyUSB0',
    '--lift', 'A:1:liftwatch-sim:K,0,1,2', '--lift', 'B:2:generic-di-16:0,1,2', '--wiring', 'B:safetyChain=0,doorZone=1,alarmButton=!6',
    '--broker', 'mqtts://mqtt.example.net:8883', '--username', 'hv12', '--password-file', path.join(dir, 'mqtt-password'), '--storage', path.join(dir, 'lw.db')];
  const r = await cli(args);
  // config check reads the password file as the agent will: it must exist.
  fs.writeFileSync(path.join(dir, 'mqtt-password'), 'secret\n');
  t.equal(r.code, 0, r.stderr);
  const check = await cli(['config', 'check', out]);
  t.equal(check.code, 0, check.stderr);
  t.match(check.stdout, /valid \(site hv12, gateway hv12-mr1, 1 bus\(es\), 2 lift\(s\)/);
  const text = fs.readFileSync(out, 'utf8');
  t.match(text, /alarmButton:\n\s+input: 6\n\s+invert: true/);
  t.notMatch(text, /password:/, 'a password file, never a password');
  const again = await cli(args);
  t.equal(again.code, 2, 'refuses to overwrite without --force');
  t.match(again.stderr, /--force/);
});

void t.test('init refuses answers that do not make a valid config, and writes nothing', async (t) => {
  const dir = tmp(t);
  const out = path.join(dir, 'lw.yaml');
  const r = await cli(['init', '--yes', '--out', out, '--site-id', 'x', '--port', '/dev/ttyUSB0', '--lift', 'A:0:liftwatch-sim:0,1', '--broker', 'mqtt://h:1883']);
  t.equal(r.code, 3);
  t.match(r.stderr, /lifts\[0\]\.unitId/);
  t.same(fs.readdirSync(dir), [], 'nothing written, no temp file left');
});

void t.test('init interactive: answers one per line', async (t) => {
  const dir = tmp(t);
  const out = path.join(dir, 'lw.yaml');
  // site id, name, address, gateway, port, lifts, id, unit, profile, landings, 8 inputs (generic-di-8 has 0..7), broker, user, password file
  const passwordFile = path.join(dir, 'mqtt-password');
  fs.writeFileSync(passwordFile, 'secret\n'); // config check reads it as the agent will
  const answers = ['hv9', 'House Nine', '', 'gw9', '/dev/ttyS9', '1', 'A', '5', 'generic-di-8', '0,1,2', '', '', '', '', '', '', '!6', '', '', '', 'mqtt://127.0.0.1:1883', '', passwordFile];
  const r = await cli(['init', '--interactive', '--out', out, '--storage', path.join(dir, 'x.db')], { input: answers.join('\n') + '\n' });
  t.equal(r.code, 0, r.stderr + r.stdout);
  t.match(r.stdout, /Site id/);
  t.match(r.stdout, /which input carries each signal/);
  const check = await cli(['config', 'check', out]);
  t.equal(check.code, 0, check.stderr);
  const text = fs.readFileSync(out, 'utf8');
  t.match(text, /unitId: 5/);
  t.match(text, /alarmButton:\n\s+input: 6\n\s+invert: true/);
  t.notMatch(text, /mainsPower/, 'defaults beyond the module\'s 8 inputs are not offered');
});

void t.test('probe on a serial pty finds the simulated units, bounded in time', async (t) => {
  const socat = needTool(t, 'socat', 'socat');
  if (!socat) return;
  const dir = tmp(t);
  const pty = await ptyPair(socat, dir);
  t.teardown(() => pty.stop());
  const sim = new Simulator({ lifts: [{ unitId: 1, landings: 5, startFloor: 1 }, { unitId: 3, landings: 5, startFloor: 2 }], scenario: { name: 'idle', autoTrips: false, steps: [] } });
  await sim.openSerial({ path: pty.a });
  sim.start();
  t.teardown(() => sim.stop());
  const r = await cli(['probe', '--port', pty.b, '--bauds', '19200', '--parities', 'none', '--units', '1-4', '--timeout', '150', '--json']);
  t.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { answers: Array<{ unitId: number; holding: number[]; discrete: boolean[] }>; tried: Array<{ timeouts: number }> };
  t.same(v.answers.map((a) => a.unitId), [1, 3], 'units 1 and 3 answer, 2 and 4 are silent');
  t.equal(v.answers[1]?.holding[1], 2, 'unit 3 reports its floor register');
  t.equal(v.answers[0]?.discrete.length, 16);
  t.equal(v.tried[0]?.timeouts, 2);
  const none = await cli(['probe', '--port', pty.b, '--bauds', '19200', '--parities', 'none', '--units', '7-8', '--timeout', '100']);
  t.equal(none.code, 7, 'nothing answered: exit 7');
  t.match(none.stdout, /No unit answered\. Check A\/B wiring/);
  const bounded = await cli(['probe', '--port', pty.b, '--bauds', '9600,19200', '--parities', 'none,even', '--units', '10-40', '--timeout', '100', '--max-time', '1', '--json']);
  t.ok((JSON.parse(bounded.stdout) as { notTried: unknown[] }).notTried.length > 0, 'stops at --max-time and says what it did not try');
});

void t.test('commission: agent stopped, then running (TEST_CALL round trip); report files and retained message', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  r.sim.lift(1).hold({ moving: false, doorZone: true, doorClosedLimit: true, doorOpenLimit: false, doorLocked: true });
  const stopped = await cli(['commission', '--config', r.configFile, '--skip', 'clock-synchronised']);
  t.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  t.match(stopped.stdout, /PASS\s+port-opens \[field\]/);
  t.match(stopped.stdout, /PASS\s+lift-answers \[A\]/);
  t.match(stopped.stdout, /PASS\s+signals-plausible \[A\]/);
  t.match(stopped.stdout, /SKIP\s+clock-synchronised/);
  t.match(stopped.stdout, /PASS\s+broker-reachable/);
  t.match(stopped.stdout, /PASS\s+round-trip: agent not running/);
  t.match(stopped.stdout, /COMMISSIONED/);
  const reports = fs.readdirSync(r.dir).filter((f) => f.startsWith('commissioning-'));
  t.equal(reports.filter((f) => f.endsWith('.json')).length, 1);
  t.equal(reports.filter((f) => f.endsWith('.txt')).length, 1);

  await r.startAgent();
  const sub = await subscribe(r.brokerPort, `${r.root}/#`);
  t.teardown(() => sub.close());
  await waitFor(() => sub.messages.find((m) => m.topic === `${r.root}/lift/A/state` && m.payload['link'] === 'ok'), 10_000, 'agent polling');
  const running = await cli(['commission', '--config', r.configFile, '--skip', 'clock-synchronised', '--json']);
  t.equal(running.code, 0, running.stdout + running.stderr);
  const report = JSON.parse(running.stdout) as { ok: boolean; agentRunning: boolean; steps: Array<{ step: string; status: string; detail: string }> };
  t.equal(report.agentRunning, true);
  t.match(report.steps.find((s) => s.step === 'round-trip'), { status: 'pass', detail: /TEST_CALL of lift A .* received/ });
  await waitFor(() => sub.messages.find((m) => m.topic.endsWith('/event') && m.payload['code'] === 'TEST_CALL'), 5000, 'TEST_CALL on MQTT');
  const retained = await subscribe(r.brokerPort, `${r.root}/commissioning`);
  t.teardown(() => retained.close());
  const msg = await waitFor(() => retained.messages.find((m) => m.retain), 5000, 'retained commissioning report');
  t.match(msg.payload, { schema: 'liftwatch.commissioning/1', ok: true, agentRunning: true });
});

void t.test('commission fails with what to do: a lift that does not answer', async (t) => {
  const r = await rig({ lifts: [{ id: 'A', unitId: 1, landings: ['0', '1', '2'] }] });
  t.teardown(() => r.close());
  const cfg = fs.readFileSync(r.configFile, 'utf8').replace('unitId: 1,', 'unitId: 9,');
  fs.writeFileSync(r.configFile, cfg);
  const res = await cli(['commission', '--config', r.configFile, '--skip', 'clock-synchronised', '--skip', 'round-trip']);
  t.equal(res.code, 7, 'exit 7: a step failed');
  t.match(res.stdout, /FAIL\s+lift-answers \[A\]: unit 9/);
  t.match(res.stdout, /what to do: check the unit id set on the device \(9\)/);
  t.match(res.stdout, /NOT COMMISSIONED/);
});

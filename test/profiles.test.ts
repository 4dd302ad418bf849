import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../src/config/errors.js';
import { loadConfig } from '../src/config/load.js';
import { listProfiles, loadProfile, loadProfilesForConfig, resolveProfileFile } from '../src/config/profiles.js';
import { SIGNAL_NAMES } from '../src/core/signals.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtureDevices = path.join(root, 'test/fixtures/config/devices');

function thrown(t: Test, fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    t.type(err, ConfigError);
    return err as ConfigError;
  }
  t.fail('expected a ConfigError');
  throw new Error('unreachable');
}

void t.test('shipped profiles load and validate', async (t) => {
  const list = listProfiles();
  t.same(list.map((p) => p.id), ['ascii-printer-example', 'binary-enquiry-example', 'generic-di-16', 'generic-di-8', 'liftwatch-sim']);
  const sim = loadProfile('liftwatch-sim');
  t.equal(sim.file, path.join(root, 'devices/liftwatch-sim.yaml'));
  t.equal(sim.kind, 'controller');
  t.equal(sim.template, false);
  t.same(Object.keys(sim.signals).sort(), [...SIGNAL_NAMES].sort(), 'the simulator provides every signal');
  t.same(sim.signals.safetyChain, { table: 'holding', address: 0, bit: 0 });
  t.same(sim.signals.alarmDeviceFault, { table: 'holding', address: 0, bit: 15 });
  t.same(sim.signals.direction, { table: 'holding', address: 2, enum: { '0': 'none', '1': 'up', '2': 'down' } });
  t.same(sim.signals.doorOpenCommand, { table: 'holding', address: 4, bit: 1 });
  for (const n of [8, 16]) {
    const di = loadProfile(`generic-di-${n}`);
    t.equal(di.kind, 'io-module');
    t.same(di.inputs, { table: 'discrete', address: 0, count: n });
    t.same(di.signals, {});
    t.match(di.description, /dry contacts/);
  }
});

void t.test('ids and paths', async (t) => {
  t.equal(resolveProfileFile('x', { devicesDir: '/d' }), '/d/x.yaml');
  t.equal(resolveProfileFile('sub/x.yaml', { baseDir: '/etc/lw' }), '/etc/lw/sub/x.yaml');
  t.equal(resolveProfileFile('x.yaml', { baseDir: '/etc/lw' }), '/etc/lw/x.yaml');
  const p = loadProfile('good-ctl.yaml', { baseDir: fixtureDevices });
  t.equal(p.id, 'good-ctl');
  t.equal(p.template, true);
  const byId = loadProfile('good-ctl', { devicesDir: fixtureDevices });
  t.same(byId, p);
});

void t.test('a missing profile names the file and the known ids', async (t) => {
  const err = thrown(t, () => loadProfile('nope', { devicesDir: fixtureDevices }));
  t.equal(err.code, 'PROFILE_NOT_FOUND');
  t.match(err.message, /nope\.yaml: \(top level\): expected a device profile file \(known profiles: bad-profile, bad-schema, good-ctl\), got no such file/);
});

void t.test('schema problems in a profile', async (t) => {
  const err = thrown(t, () => loadProfile('bad-schema', { devicesDir: fixtureDevices }));
  t.equal(err.code, 'PROFILE_INVALID');
  const byPath = new Map(err.problems.map((p) => [p.path, p.message]));
  t.match(byPath.get('kind'), /^expected one of controller, io-module, frames, got "plc"$/);
  t.match(byPath.get('registers'), /unknown key "registers" \(allowed: id, title, kind, template, description, inputs, signals, frames, faultCodes\)/);
  t.match(byPath.get('signals.moving.addr'), /unknown key "addr".*did you mean "address"\?/);
  t.match(byPath.get('signals.moving.address'), /got nothing \(this key is required\)/);
  t.ok(err.problems.every((p) => p.file.endsWith('test/fixtures/config/devices/bad-schema.yaml')));
  t.match(err.message, /bad-schema\.yaml: kind: expected one of controller, io-module, frames, got "plc" \(line 3\)/);
});

void t.test('semantic problems in a profile', async (t) => {
  const err = thrown(t, () => loadProfile('bad-profile', { devicesDir: fixtureDevices }));
  t.equal(err.code, 'PROFILE_INVALID');
  const byPath = new Map(err.problems.map((p) => [p.path, p.message]));
  t.match(byPath.get('id'), /expected "bad-profile" \(the file name without \.yaml\), got "not-the-file-name"/);
  t.match(byPath.get('inputs'), /expected the block of inputs/);
  t.match(byPath.get('signals.alarmButton.bit'), /expected no bit on a discrete/);
  t.match(byPath.get('signals.direction.enum'), /expected values from none, up, down, got "stopped"/);
  t.match(byPath.get('signals.floor.invert'), /expected no invert for floor/);
  t.match(byPath.get('signals.doorZone.address'), /expected an integer from 0 to 65535, got 70000/);
});

void t.test('listProfiles reports every broken profile at once', async (t) => {
  const err = thrown(t, () => listProfiles(fixtureDevices));
  const files = new Set(err.problems.map((p) => path.basename(p.file)));
  t.same([...files].sort(), ['bad-profile.yaml', 'bad-schema.yaml']);
});

void t.test('demo config: every lift fits its profile', async (t) => {
  const cfg = loadConfig(path.join(root, 'config/demo.yaml'));
  const profiles = loadProfilesForConfig(cfg);
  t.same([...profiles.keys()], ['liftwatch-sim', 'generic-di-16']);
  t.equal(profiles.get('generic-di-16')?.inputs?.count, 16);
});

void t.test('lifts that do not fit their profiles: all problems in one error', async (t) => {
  const cfg = loadConfig(path.join(root, 'test/fixtures/config/wiring-errors.yaml'));
  const err = thrown(t, () => loadProfilesForConfig(cfg));
  t.equal(err.code, 'PROFILE_NOT_FOUND', 'a missing profile outranks lift problems');
  t.ok(err.problems.every((p) => p.file.endsWith('test/fixtures/config/wiring-errors.yaml')), 'problems name the config file');
  const byPath = new Map(err.problems.map((p) => [p.path, p.message]));
  t.equal(byPath.get('lifts[0].signals.alarmButton.input'), 'expected an input from 0 to 7 for profile generic-di-8, got 9');
  t.match(byPath.get('lifts[0].signals.floor'), /an input is a single contact/);
  t.match(byPath.get('lifts[1].signals'), /expected at least one signal wired to an input of profile generic-di-8/);
  t.match(byPath.get('lifts[2].signals.alarmButton'), /expected a full source .* profile liftwatch-sim is a controller without inputs, got \{input: 1\}/);
  t.match(byPath.get('lifts[2].signals.floor'), /expected a register value .* for floor/);
  t.match(byPath.get('lifts[3].profile'), /expected a profile id from devices\/ \(ascii-printer-example, binary-enquiry-example, generic-di-16, generic-di-8, liftwatch-sim\) or a path to a \.yaml file, got "no-such-profile"/);
  t.match(err.message, /wiring-errors\.yaml: lifts\[0\]\.signals\.alarmButton\.input: expected an input from 0 to 7 for profile generic-di-8, got 9 \(line \d+\)/);
  t.equal(err.problems.length, 6);
});

void t.test('a broken profile referenced by a config is PROFILE_INVALID; paths resolve from the config dir', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-profiles-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'profiles'));
  fs.copyFileSync(path.join(fixtureDevices, 'bad-schema.yaml'), path.join(dir, 'profiles/bad-schema.yaml'));
  fs.copyFileSync(path.join(fixtureDevices, 'good-ctl.yaml'), path.join(dir, 'profiles/good-ctl.yaml'));
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, [
    'site: { id: s, name: S }',
    'uplink: { url: "mqtt://h" }',
    'buses: [{ id: b, type: modbus-rtu, port: /dev/a }]',
    'lifts:',
    '  - { id: L1, bus: b, unitId: 1, profile: profiles/bad-schema.yaml, landings: ["0"] }',
    '  - { id: L2, bus: b, unitId: 2, profile: ./profiles/good-ctl.yaml, landings: ["0"] }',
  ].join('\n'));
  const cfg = loadConfig(file);
  const err = thrown(t, () => loadProfilesForConfig(cfg));
  t.equal(err.code, 'PROFILE_INVALID');
  t.ok(err.problems.every((p) => p.file.endsWith('bad-schema.yaml')));
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('profiles/bad-schema.yaml', 'profiles/good-ctl.yaml'));
  const ok = loadProfilesForConfig(loadConfig(file));
  t.equal(ok.get('profiles/good-ctl.yaml')?.id, 'good-ctl');
  t.equal(ok.get('./profiles/good-ctl.yaml')?.id, 'good-ctl');
});

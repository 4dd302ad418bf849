// Configuration of serial-frames buses and frames profiles: defaults from
// config/schema.json, and the checks a schema cannot express, each naming file and path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/config/load.js';
import { loadProfile, loadProfilesForConfig } from '../src/config/profiles.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-frames-cfg-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function config(buses: string, lifts: string): string {
  return ['site: { id: s, name: S }', 'buses:', buses, 'lifts:', lifts, 'uplink: { url: "mqtt://127.0.0.1:1883" }', ''].join('\n');
}

function problems(fn: () => unknown): Map<string, string> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return new Map(err.problems.map((p) => [p.path, p.message]));
    throw err;
  }
  return new Map();
}

void t.test('a serial-frames bus gets its defaults', async (t) => {
  const file = path.join(dir, 'ok.yaml');
  const text = config('  - { id: p, type: serial-frames, port: /dev/ttyUSB0 }', '  - { id: L, bus: p, unitId: 1, profile: ascii-printer-example, landings: ["0", "1"] }');
  fs.writeFileSync(file, text);
  const cfg = parseConfig(text, file);
  t.same(cfg.buses[0], {
    id: 'p', type: 'serial-frames', port: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1,
    timeoutMs: 500, silenceTimeoutMs: 3000, interFrameGapMs: 5, maxBufferBytes: 4096,
  });
  const profiles = loadProfilesForConfig(cfg);
  t.equal(profiles.get('ascii-printer-example')?.kind, 'frames');
  t.equal(profiles.get('ascii-printer-example')?.template, true, 'shipped as a template');
  t.equal(loadProfile('binary-enquiry-example').template, true, 'shipped as a template');
  t.match(problems(() => parseConfig(config('  - { id: p, type: serial-frames, port: /dev/x, retries: 2 }', '  - { id: L, bus: p, unitId: 1, profile: x, landings: ["0"] }'), file)).get('buses[0].retries') ?? '', /unknown key/);
});

void t.test('frames profiles and buses must match, one framing per line', async (t) => {
  const file = path.join(dir, 'mix.yaml');
  const text = config(
    [
      '  - { id: m, type: modbus-rtu, port: /dev/a }',
      '  - { id: p, type: serial-frames, port: /dev/b }',
      '  - { id: q, type: serial-frames, port: /dev/c }',
    ].join('\n'),
    [
      '  - { id: A, bus: m, unitId: 1, profile: ascii-printer-example, landings: ["0"] }',
      '  - { id: B, bus: p, unitId: 1, profile: liftwatch-sim, landings: ["0"] }',
      '  - { id: C, bus: q, unitId: 1, profile: binary-enquiry-example, landings: ["0"] }',
      '  - { id: D, bus: q, unitId: 2, profile: ascii-printer-example, landings: ["0"] }',
    ].join('\n'),
  );
  fs.writeFileSync(file, text);
  const p = problems(() => loadProfilesForConfig(parseConfig(text, file)));
  t.match(p.get('lifts[0].profile'), /expected a Modbus profile .* got ascii-printer-example \(kind frames/);
  t.match(p.get('lifts[1].profile'), /expected a profile of kind frames .* got liftwatch-sim \(kind controller\)/);
  t.match(p.get('lifts[3].profile'), /expected profile "binary-enquiry-example" like lifts\[2\] .*\(one framing per line\)/);
});

void t.test('an unaddressed framing serves one lift per line', async (t) => {
  fs.writeFileSync(path.join(dir, 'solo.yaml'), [
    'id: solo', 'title: Solo', 'kind: frames', 'frames:', '  format: ascii', '  messages:',
    "    - { name: st, pattern: '^F(?<floor>\\d+)$' }", '',
  ].join('\n'));
  const file = path.join(dir, 'two.yaml');
  const text = config('  - { id: p, type: serial-frames, port: /dev/b }', [
    '  - { id: A, bus: p, unitId: 1, profile: solo.yaml, landings: ["0"] }',
    '  - { id: B, bus: p, unitId: 2, profile: solo.yaml, landings: ["0"] }',
  ].join('\n'));
  fs.writeFileSync(file, text);
  t.match(problems(() => loadProfilesForConfig(parseConfig(text, file))).get('lifts[1].bus'), /carries no unit address/);
});

void t.test('bad frames profiles name the path and what was expected', async (t) => {
  const write = (name: string, body: string[]): string => {
    fs.writeFileSync(path.join(dir, `${name}.yaml`), [`id: ${name}`, 'title: T', 'kind: frames', ...body, ''].join('\n'));
    return name;
  };
  const ascii = write('bad-ascii', [
    'frames:', '  format: ascii', '  unitGroup: unit', '  messages:',
    "    - { name: a, pattern: '^(?<floor' }",
    "    - { name: b, pattern: '^(?<unit>\\d) (?<x>\\d)$', signals: { doorZone: { group: y } } }",
    "    - { name: c, pattern: '^(?<unit>\\d) (?<direction>\\w)$', signals: { direction: { enum: { U: sideways } } } }",
    "    - { name: d, pattern: '^(?<unit>\\d)$', set: { floor: high } }",
  ]);
  const pa = problems(() => loadProfile(ascii, { devicesDir: dir }));
  t.match(pa.get('frames.messages[0].pattern'), /expected an ECMAScript regular expression/);
  t.match(pa.get('frames.messages[1].signals.doorZone'), /expected a named group \(\?<y>\.\.\.\)/);
  t.match(pa.get('frames.messages[2].signals.direction.enum'), /expected only none, up, down/);
  t.match(pa.get('frames.messages[3].set.floor'), /expected a number for floor, got "high"/);

  const binary = write('bad-binary', [
    'frames:', '  format: binary', '  start: "02"', '  fixedLength: 8', '  length: { byte: 1 }', '  end: "0Z"',
    '  messages: [{ name: s, signals: { floor: { byte: 9 } } }]',
  ]);
  const pb = problems(() => loadProfile(binary, { devicesDir: dir }));
  t.match(pb.get('frames'), /exactly one of fixedLength and length, got both/);
  t.ok(pb.has('frames.end'), 'bad hex');
  const b2 = write('bad-binary2', [
    'frames:', '  format: binary', '  start: "02"', '  fixedLength: 8', '  checksum: { type: crc16-modbus }',
    '  messages: [{ name: s, signals: { floor: { byte: 7, size: 2 }, moving: { byte: 1, scale: 2 } } }, { name: t }]',
  ]);
  const p2 = problems(() => loadProfile(b2, { devicesDir: dir }));
  t.match(p2.get('frames.messages[0].signals.floor.byte'), /end inside the frame/);
  t.match(p2.get('frames.messages[0].signals.moving'), /no scale\/offset for boolean/);
  t.match(p2.get('frames.messages[1]'), /at least one signal/);
  const wrongKind = problems(() => loadProfile(write('wrong-kind', ['signals: { moving: { table: coil, address: 0 } }']), { devicesDir: dir }));
  t.match(wrongKind.get('frames'), /expected the framing/);
  t.match(wrongKind.get('signals'), /expected no Modbus signals/);
});

void t.test('config/demo-frames.yaml loads with its template profiles', async (t) => {
  const root = new URL('../../', import.meta.url).pathname;
  const cfg = parseConfig(fs.readFileSync(path.join(root, 'config/demo-frames.yaml'), 'utf8'), path.join(root, 'config/demo-frames.yaml'));
  t.same(cfg.buses.map((b) => b.type), ['serial-frames', 'serial-frames']);
  const profiles = loadProfilesForConfig(cfg);
  t.same([...profiles.keys()], ['ascii-printer-example', 'binary-enquiry-example']);
});

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatPath } from '../src/config/errors.js';
import { hostnameToId, loadConfig, parseConfig } from '../src/config/load.js';
import { ALARM_CODES } from '../src/core/types.js';
import { SIGNAL_NAMES } from '../src/core/signals.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string): string => path.join(root, 'test/fixtures/config', name);

/** Loads a config expected to fail; returns the error. */
function failing(t: Test, file: string): ConfigError {
  try {
    loadConfig(file);
  } catch (err) {
    t.type(err, ConfigError);
    return err as ConfigError;
  }
  t.fail(`${file} loaded without error`);
  throw new Error('unreachable');
}

/** Asserts one problem at `p` in fixture `name`, with the file and path in the message. */
function assertProblem(t: Test, err: ConfigError, name: string, p: string, re: RegExp): void {
  const problem = err.problems.find((x) => x.path === p);
  t.ok(problem, `a problem at ${p} (got: ${err.problems.map((x) => x.path).join(', ')})`);
  if (!problem) return;
  t.ok(problem.file.endsWith(`test/fixtures/config/${name}`), `names the file (${problem.file})`);
  t.ok(err.message.includes(`${problem.file}: ${p}: `), `message has "<file>: ${p}: "\n${err.message}`);
  t.match(problem.message, re);
}

void t.test('demo.yaml loads clean with defaults applied', async (t) => {
  const cfg = loadConfig(path.join(root, 'config/demo.yaml'), { hostname: 'ignored' });
  t.equal(cfg.file, path.join(root, 'config/demo.yaml'));
  t.same(cfg.site, { id: 'demo-site', name: 'Demo Tower', address: '1 Example Street' });
  t.equal(cfg.gateway.id, 'demo-gw');
  t.same(cfg.buses, [
    { id: 'sim', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: 5020, timeoutMs: 300, retries: 1, interFrameGapMs: 2 },
  ]);
  t.same(cfg.lifts.map((l) => [l.id, l.label, l.unitId, l.profile, l.pollIntervalMs]), [
    ['A', 'Lift A (east)', 1, 'liftwatch-sim', 250],
    ['B', 'Lift B (west)', 2, 'generic-di-16', 250],
  ]);
  t.same(cfg.lifts[0]?.landings, ['-1', '0', '1', '2', '3', '4', '5']);
  t.same(cfg.lifts[0]?.signals, {});
  t.same(cfg.lifts[1]?.signals.mainsPower, { input: 11, invert: false });
  t.same(cfg.broker, { enabled: true, host: '127.0.0.1', port: 1883 });
  t.equal(cfg.uplink.url, 'mqtt://127.0.0.1:1883');
  t.equal(cfg.uplink.clientId, 'liftwatch-demo-gw', 'clientId defaults to liftwatch-<gatewayId>');
  t.equal(cfg.uplink.protocolVersion, 4);
  t.equal(cfg.uplink.topicPrefix, 'liftwatch');
  t.equal(cfg.uplink.inflight, 100);
  t.equal(cfg.storage.path, path.resolve(process.cwd(), 'var/liftwatch-demo.db'), 'relative to the cwd');
  t.equal(cfg.storage.maxBytes, 256 * 1024 * 1024);
  t.equal(cfg.storage.maxAgeDays, 90);
  t.same(cfg.rules, {});
});

void t.test('example.yaml loads clean without reading the files it names', async (t) => {
  const cfg = loadConfig(path.join(root, 'config/example.yaml'));
  const bus = cfg.buses[0];
  t.equal(bus?.type, 'modbus-rtu');
  if (bus?.type === 'modbus-rtu') t.same([bus.baudRate, bus.dataBits, bus.parity, bus.stopBits], [19200, 8, 'none', 1]);
  t.equal(cfg.uplink.passwordFile, '/etc/liftwatch/mqtt-password');
  t.equal(cfg.uplink.tls?.ca, '/etc/liftwatch/facility-ca.pem');
  t.equal(cfg.broker.enabled, false);
  t.equal(cfg.storage.path, '/var/lib/liftwatch/liftwatch.db');
  t.same(cfg.rules.INSPECTION_MODE, { enabled: false });
  t.same(cfg.lifts[0]?.signals.alarmButton, { input: 5, invert: true });
});

void t.test('minimal config: every default, gateway id from the host name', async (t) => {
  const text = [
    'site: { id: s1, name: Site }',
    'uplink: { url: "mqtts://broker:8883" }',
    'buses: [{ id: b1, type: modbus-rtu, port: /dev/ttyS0 }, { id: b2, type: modbus-tcp, host: gw }, { id: b3, type: modbus-rtu-over-tcp, host: conv }]',
    'lifts: [{ id: L1, bus: b1, unitId: 7, profile: generic-di-8, landings: ["0"] }]',
  ].join('\n');
  const cfg = parseConfig(text, 'inline.yaml', { hostname: 'pi-lift.local' });
  t.equal(cfg.gateway.id, 'pi-lift');
  t.equal(cfg.uplink.clientId, 'liftwatch-pi-lift');
  t.same(cfg.buses[0], { id: 'b1', type: 'modbus-rtu', port: '/dev/ttyS0', baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 500, retries: 1, interFrameGapMs: 5 });
  // Modbus TCP keeps no silence between frames (the MBAP header frames them); RTU through a
  // converter is replayed on a serial line and keeps the serial gap.
  t.same(cfg.buses[1], { id: 'b2', type: 'modbus-tcp', host: 'gw', port: 502, timeoutMs: 500, retries: 1, interFrameGapMs: 0 });
  t.same(cfg.buses[2], { id: 'b3', type: 'modbus-rtu-over-tcp', host: 'conv', port: 502, timeoutMs: 500, retries: 1, interFrameGapMs: 5 });
  t.equal(cfg.lifts[0]?.label, 'L1', 'label defaults to the id');
  t.equal(cfg.lifts[0]?.pollIntervalMs, 500);
  t.same(cfg.broker, { enabled: false, host: '127.0.0.1', port: 1883 });
  t.equal(cfg.storage.path, '/var/lib/liftwatch/liftwatch.db');
  t.same([cfg.uplink.keepaliveSec, cfg.uplink.reconnectMinMs, cfg.uplink.reconnectMaxMs], [30, 1000, 60000]);
  t.equal(cfg.file, path.resolve('inline.yaml'));
  t.equal(hostnameToId('my box.example'), 'my-box');
});

void t.test('unknown key', async (t) => {
  const err = failing(t, fixture('unknown-key.yaml'));
  t.equal(err.code, 'CONFIG_INVALID');
  assertProblem(t, err, 'unknown-key.yaml', 'lifts[0].pollInterval', /unknown key "pollInterval" \(allowed: id, label, bus, unitId, .*\); did you mean "pollIntervalMs"\?/);
  t.equal(err.problems[0]?.line, 13);
});

void t.test('wrong type', async (t) => {
  const err = failing(t, fixture('wrong-type.yaml'));
  assertProblem(t, err, 'wrong-type.yaml', 'lifts[0].pollIntervalMs', /^expected an integer of at least 50, got "fast"$/);
});

void t.test('bad unitId', async (t) => {
  const err = failing(t, fixture('bad-unit-id.yaml'));
  assertProblem(t, err, 'bad-unit-id.yaml', 'lifts[1].unitId', /^expected an integer from 1 to 247, got 0$/);
  t.equal(err.problems.length, 1, 'the valid lift is not reported');
});

void t.test('missing bus reference', async (t) => {
  const err = failing(t, fixture('missing-bus.yaml'));
  assertProblem(t, err, 'missing-bus.yaml', 'lifts[0].bus', /expected the id of a bus under buses \(rs485, tcp\), got "rs458"/);
});

void t.test('duplicate lift id, reported with a unit id clash', async (t) => {
  const err = failing(t, fixture('duplicate-lift.yaml'));
  assertProblem(t, err, 'duplicate-lift.yaml', 'lifts[2].id', /not used before, got "L1" \(already used by lifts\[0\]\)/);
  t.notOk(err.problems.some((p) => p.path === 'lifts[1].unitId'), 'unit id 1 on another bus is fine');
});

void t.test('unit id used twice on one bus, duplicate bus id', async (t) => {
  const text = [
    'site: { id: s, name: S }',
    'uplink: { url: "mqtt://h" }',
    'buses: [{ id: b, type: modbus-rtu, port: /dev/a }, { id: b, type: modbus-rtu-over-tcp, host: h }]',
    'lifts:',
    '  - { id: L1, bus: b, unitId: 3, profile: p, landings: ["0"] }',
    '  - { id: L2, bus: b, unitId: 3, profile: p, landings: [0] }',
  ].join('\n');
  const err = t.throws(() => parseConfig(text, 'dup.yaml')) as ConfigError;
  t.same(err.problems.map((p) => p.path).sort(), ['buses[1].id', 'lifts[1].landings[0]', 'lifts[1].unitId']);
  t.match(err.message, /dup\.yaml: lifts\[1\]\.landings\[0\]: expected a non-empty string, got 0 \(write it in quotes: "0"\)/);
  t.match(err.message, /dup\.yaml: lifts\[1\]\.unitId: expected a unit id not used by another lift on bus "b", got 3/);
});

void t.test('YAML syntax error gives line and column', async (t) => {
  const err = failing(t, fixture('yaml-syntax.yaml'));
  t.equal(err.code, 'CONFIG_YAML');
  const first = err.problems[0];
  t.ok(first?.file.endsWith('test/fixtures/config/yaml-syntax.yaml'));
  t.match(first?.path, /^line \d+, column \d+$/);
  t.match(err.message, /yaml-syntax\.yaml: line \d+, column \d+: invalid YAML: /);
});

void t.test('missing file and empty file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-config-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'nope.yaml');
  const err = t.throws(() => loadConfig(missing)) as ConfigError;
  t.equal(err.code, 'CONFIG_NOT_FOUND');
  t.match(err.message, 'nope.yaml: (top level): expected a readable config file, got no such file');
  fs.writeFileSync(path.join(dir, 'empty.yaml'), '# nothing\n');
  const empty = t.throws(() => loadConfig(path.join(dir, 'empty.yaml'))) as ConfigError;
  t.equal(empty.code, 'CONFIG_INVALID');
  t.match(empty.message, /empty\.yaml: \(top level\): expected a mapping .*, got an empty file/);
});

void t.test('bus keys depend on the bus type; many problems reported at once', async (t) => {
  const text = [
    'site: { id: "my site", name: S }',
    'uplink: { url: "http://h", topicPrefix: "a/#" }',
    'buses: [{ id: b, type: modbus-rtu, host: x, baudRate: 19201 }]',
    'lifts: [{ id: L1, bus: b, unitId: 1, profile: p, landings: ["0"], signals: { alarmButon: { input: 1 } } }]',
    'rules: { PASSENGER_TRAPED: { confirmMs: 1 }, OVERLOAD: { confirmMs: -1 } }',
  ].join('\n');
  const err = t.throws(() => parseConfig(text, 'many.yaml')) as ConfigError;
  const byPath = new Map(err.problems.map((p) => [p.path, p.message]));
  t.match(byPath.get('site.id'), /expected an id of letters, digits/);
  t.match(byPath.get('uplink.url'), /expected a broker URL/);
  t.match(byPath.get('uplink.topicPrefix'), /MQTT topic levels/);
  t.match(byPath.get('buses[0].port'), /got nothing \(this key is required\)/);
  t.match(byPath.get('buses[0].host'), /unknown key "host" \(allowed: id, type, port, baudRate/);
  t.match(byPath.get('buses[0].baudRate'), /expected one of 1200, .* 115200, got 19201/);
  t.match(byPath.get('lifts[0].signals.alarmButon'), /did you mean "alarmButton"/);
  t.match(byPath.get('rules.PASSENGER_TRAPED'), /did you mean "PASSENGER_TRAPPED"/);
  t.match(byPath.get('rules.OVERLOAD.confirmMs'), /expected an integer of at least 0, got -1/);
  for (const p of err.problems) t.ok(err.message.includes(`many.yaml: ${p.path}: ${p.message}`));
});

void t.test('the schema documents every key and covers every signal and alarm code', async (t) => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'config/schema.json'), 'utf8')) as Record<string, unknown>;
  const defs = schema.definitions as Record<string, { properties: Record<string, unknown> }>;
  const props = schema.properties as Record<string, { properties: Record<string, unknown> }>;
  t.same(Object.keys(props.rules?.properties ?? {}), [...ALARM_CODES]);
  const liftSignals = (defs.lift?.properties.signals as { properties: object }).properties;
  t.same(Object.keys(liftSignals), [...SIGNAL_NAMES]);
  const devices = JSON.parse(fs.readFileSync(path.join(root, 'devices/schema.json'), 'utf8')) as { definitions: Record<string, unknown> };
  t.same(defs.signalSource, devices.definitions.signalSource, 'one SignalSource definition in both schemas');
  // Every property of every object schema has a title and a description.
  const missing: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const properties = obj.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [k, v] of Object.entries(properties ?? {})) {
      if (typeof v.title !== 'string' || typeof v.description !== 'string') missing.push(`${at}.${k}`);
    }
    for (const [k, v] of Object.entries(obj)) if (k !== 'if') walk(v, `${at}/${k}`); // conditions, not documentation
  };
  walk(schema, '#');
  walk(devices, 'devices#');
  t.same(missing, [], 'no undocumented property');
});

void t.test('formatPath', async (t) => {
  t.equal(formatPath(['lifts', 1, 'unitId']), 'lifts[1].unitId');
  t.equal(formatPath(['signals', 'direction', 'enum', '0']), 'signals.direction.enum["0"]');
  t.equal(formatPath([]), '(top level)');
});

void t.test('debounce: per-signal hold times; an unknown signal names its path', async (t) => {
  const base = [
    'site: { id: s1, name: Site }',
    'uplink: { url: "mqtt://broker:1883" }',
    'buses: [{ id: b1, type: modbus-rtu, port: /dev/ttyS0 }]',
    'lifts: [{ id: L1, bus: b1, unitId: 7, profile: generic-di-8, landings: ["0"] }]',
  ];
  const cfg = parseConfig([...base, 'debounce: { alarmButton: { riseMs: 40, fallMs: 40 }, doorZone: { riseMs: 30 } }'].join('\n'), 'deb.yaml');
  t.same(cfg.debounce?.alarmButton, { riseMs: 40, fallMs: 40 });
  t.same(cfg.debounce?.doorZone, { riseMs: 30, fallMs: 0 }, 'fallMs defaults to no hold');
  const err = t.throws(() => parseConfig([...base, 'debounce: { doorZne: { riseMs: 40 } }'].join('\n'), 'deb.yaml')) as ConfigError;
  t.match(err.message, /deb\.yaml: debounce\.doorZne: expected a key that is one of .*doorZone/);
  const neg = t.throws(() => parseConfig([...base, 'debounce: { moving: { riseMs: -1 } }'].join('\n'), 'deb.yaml')) as ConfigError;
  t.match(neg.message, 'debounce.moving.riseMs');
});

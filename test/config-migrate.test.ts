/**
 * The config format is versioned: a file from an older liftwatch loads, migrated in memory, with
 * every change named; a file from a newer one is refused rather than half understood.
 */
import t from 'tap';
import { parseConfig, migrationsOf } from '../src/config/load.js';
import { ConfigError } from '../src/config/errors.js';
import { CONFIG_VERSION } from '../src/config/migrate.js';

const base = (head: string, uplinkExtra = ''): string =>
  [
    head,
    'site: { id: s1, name: "Site" }',
    'gateway: { id: gw1 }',
    'buses: [{ id: b, type: modbus-tcp, host: 127.0.0.1, port: 502 }]',
    'lifts: [{ id: L1, bus: b, unitId: 1, profile: liftwatch-sim, landings: ["0", "1"] }]',
    `uplink: { url: "mqtt://127.0.0.1:1883"${uplinkExtra} }`,
    '',
  ].join('\n');

void t.test('a version 1 file (no version key) with the dropped healthIntervalSec loads, and the change is named', async (t) => {
  const config = parseConfig(base('', ', healthIntervalSec: 30'), '/etc/liftwatch/old.yaml');
  t.equal(config.version, CONFIG_VERSION, 'migrated to the current version');
  t.notOk('healthIntervalSec' in config.uplink, 'the key is gone from the loaded config');
  const notes = migrationsOf(config);
  t.same(notes.map((n) => n.path.join('.')), ['uplink.healthIntervalSec']);
  t.match(notes[0]?.message ?? '', /ignored; the health message follows schedule\.health\.cron/);
});

void t.test('a current file needs no migration', async (t) => {
  const config = parseConfig(base(`version: ${CONFIG_VERSION}`), 'new.yaml');
  t.same(migrationsOf(config), []);
  t.equal(config.version, CONFIG_VERSION);
});

void t.test('a version 2 file that still names healthIntervalSec is refused: the key does not exist there', async (t) => {
  t.throws(() => parseConfig(base('version: 2', ', healthIntervalSec: 30'), 'v2.yaml'), ConfigError);
});

void t.test('a file from a newer liftwatch is refused, naming the version', async (t) => {
  try {
    parseConfig(base(`version: ${CONFIG_VERSION + 1}`), 'future.yaml');
    t.fail('a newer version must not load');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.match((err as ConfigError).message, /version.*up to 2 .*newer liftwatch/s);
  }
});

void t.test('a version that is no whole number is named by the schema', async (t) => {
  t.throws(() => parseConfig(base('version: "two"'), 'bad.yaml'), ConfigError);
  t.throws(() => parseConfig(base('version: 0'), 'bad.yaml'), ConfigError);
});

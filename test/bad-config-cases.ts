/**
 * The bad-configuration corpus: configurations an installer could write, by mistake or not,
 * each with the key the message must name and what it must say was expected. Most change one
 * thing in a runnable base config (./helpers/bad-config.ts); some write the file's bytes
 * themselves, or prepare the files the config names. Run by the bad-config-*.test.ts files
 * (three, so that each stays within the test runner's time per file).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Obj } from './helpers/bad-config.js';

export interface BadCase {
  name: string;
  /** Changes the base config, written as YAML afterwards. */
  config?: (c: Obj, dir: string) => void;
  /** The config file's content instead of the base config. */
  text?: (dir: string) => string | Buffer;
  /** Prepares files and directories the config names; may return a teardown. */
  setup?: (dir: string) => void | (() => Promise<void>) | Promise<() => Promise<void>>;
  /** The config path given to the commands (default: the file written). */
  configPath?: (dir: string) => string;
  /** The file the message names (default: the config). */
  file?: (dir: string) => string;
  /** The path inside the file. */
  key: string;
  /** What the message says was expected (and found). */
  expect: RegExp;
  /** The message gives the line (default: true). */
  line?: boolean;
  /** Exit code of `config check` (default 3; 0 where the finding is a warning). */
  check?: number;
}

const write = (dir: string, name: string, content: string | Buffer): string => {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
  return f;
};
const PEM_NOT = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';

/** The schema and the checks it cannot express. */
export const SCHEMA_CASES: BadCase[] = [
  { name: 'unit id 0', config: (c) => (c.lifts[0].unitId = 0), key: 'lifts[0].unitId', expect: /expected an integer from 1 to 247, got 0/ },
  { name: 'unit id 248', config: (c) => (c.lifts[0].unitId = 248), key: 'lifts[0].unitId', expect: /expected an integer from 1 to 247, got 248/ },
  { name: 'unknown top-level key', config: (c) => (c.lfts = []), key: 'lfts', expect: /unknown key "lfts" .*did you mean "lifts"\?/ },
  { name: 'misspelt lift key', config: (c) => (c.lifts[0].pollInterval = 100), key: 'lifts[0].pollInterval', expect: /unknown key "pollInterval" .*did you mean "pollIntervalMs"\?/ },
  { name: 'no site', config: (c) => delete c.site, key: 'site', expect: /expected a mapping with id, name, got nothing \(this key is required\)/, line: false },
  { name: 'site id with a space', config: (c) => (c.site.id = 'my site'), key: 'site.id', expect: /expected an id of letters, digits, "_" and "-"/ },
  { name: 'gateway id with a slash', config: (c) => (c.gateway.id = 'gw/1'), key: 'gateway.id', expect: /expected an id of letters, digits/ },
  { name: 'empty site name', config: (c) => (c.site.name = ''), key: 'site.name', expect: /expected a non-empty string, got an empty string/ },
  { name: 'no lifts', config: (c) => (c.lifts = []), key: 'lifts', expect: /expected a non-empty list/ },
  { name: 'no buses', config: (c) => (c.buses = []), key: 'buses', expect: /expected a non-empty list/ },
  { name: 'duplicate lift id', config: (c) => c.lifts.push({ ...c.lifts[0], unitId: 2 }), key: 'lifts[1].id', expect: /expected a lift id not used before, got "A"/ },
  { name: 'duplicate bus id', config: (c) => c.buses.push({ ...c.buses[0] }), key: 'buses[1].id', expect: /expected a bus id not used before, got "field"/ },
  { name: 'unit id twice on a bus', config: (c) => c.lifts.push({ ...c.lifts[0], id: 'B' }), key: 'lifts[1].unitId', expect: /expected a unit id not used by another lift on bus "field", got 1/ },
  { name: 'lift on an unknown bus', config: (c) => (c.lifts[0].bus = 'rs485'), key: 'lifts[0].bus', expect: /expected the id of a bus under buses \(field\), got "rs485"/ },
  { name: 'unknown bus type', config: (c) => (c.buses[0].type = 'modbus-ascii'), key: 'buses[0].type', expect: /expected one of/ },
  { name: 'TCP bus port 0', config: (c) => (c.buses[0].port = 0), key: 'buses[0].port', expect: /expected an integer from 1 to 65535, got 0/ },
  { name: 'serial bus without a port', config: (c) => (c.buses[0] = { id: 'field', type: 'modbus-rtu' }), key: 'buses[0].port', expect: /expected .*got nothing \(this key is required\)/, line: false },
  { name: 'baud rate not a standard one', config: (c) => (c.buses[0] = { id: 'field', type: 'modbus-rtu', port: '/dev/ttyUSB0', baudRate: 12345 }), key: 'buses[0].baudRate', expect: /expected one of 1200, 2400/ },
  { name: 'poll interval too short', config: (c) => (c.lifts[0].pollIntervalMs = 10), key: 'lifts[0].pollIntervalMs', expect: /expected an integer of at least 50, got 10/ },
  { name: 'landings not quoted', config: (c) => (c.lifts[0].landings = [0, 1, 2]), key: 'lifts[0].landings[0]', expect: /write it in quotes: "0"/ },
  { name: 'unknown profile id', config: (c) => (c.lifts[0].profile = 'acme-9000'), key: 'lifts[0].profile', expect: /expected a profile id from devices\/ .* got "acme-9000"/ },
  { name: 'profile path that does not exist', config: (c, d) => (c.lifts[0].profile = path.join(d, 'nope.yaml')), key: 'lifts[0].profile', expect: /got ".*nope\.yaml" \(.*does not exist\)/ },
  { name: 'input module without wiring for its inputs', config: (c) => Object.assign(c.lifts[0], { profile: 'generic-di-8', signals: { doorZone: { input: 12 } } }), key: 'lifts[0].signals.doorZone.input', expect: /expected an input from 0 to 7 for profile generic-di-8, got 12/ },
  { name: 'broker URL with http://', config: (c) => (c.uplink.url = 'http://broker:1883'), key: 'uplink.url', expect: /expected a broker URL such as mqtt:\/\/host:1883/ },
  { name: 'keep-alive too short', config: (c) => (c.uplink.keepaliveSec = 1), key: 'uplink.keepaliveSec', expect: /expected an integer from 5 to 65535, got 1/ },
  { name: 'reconnect min above max', config: (c) => Object.assign(c.uplink, { reconnectMinMs: 5000, reconnectMaxMs: 1000 }), key: 'uplink.reconnectMaxMs', expect: /expected at least reconnectMinMs \(5000\), got 1000/ },
  { name: 'MQTT protocol version 3', config: (c) => (c.uplink.protocolVersion = 3), key: 'uplink.protocolVersion', expect: /expected one of 4, 5, got 3/ },
  { name: 'topic prefix with a wildcard', config: (c) => (c.uplink.topicPrefix = 'lw/#'), key: 'uplink.topicPrefix', expect: /expected MQTT topic levels separated by "\/"/ },
  { name: 'storage limit below 1 MiB', config: (c) => (c.storage.maxBytes = 1000), key: 'storage.maxBytes', expect: /expected an integer of at least 1048576, got 1000/ },
  { name: 'retention of 0 days', config: (c) => (c.storage.maxAgeDays = 0), key: 'storage.maxAgeDays', expect: /expected an integer of at least 1, got 0/ },
  { name: 'broker port beyond 65535', config: (c) => (c.broker = { enabled: true, port: 70000 }), key: 'broker.port', expect: /expected an integer from 0 to 65535, got 70000/ },
  { name: 'broker on all addresses without credentials', config: (c) => (c.broker = { enabled: true, host: '0.0.0.0', port: 0 }), key: 'broker.host', expect: /expected one of 127\.0\.0\.1, ::1, localhost, got "0\.0\.0\.0"/ },
  { name: 'diagnostics group a number', config: (c) => (c.diagnostics.group = 5), key: 'diagnostics.group', expect: /expected/ },
  { name: 'unknown log level', config: (c) => (c.logging = { level: 'verbose' }), key: 'logging.level', expect: /expected one of debug, info, warn, error, silent, got "verbose"/ },
  { name: 'weekly self-test (EN 81-28)', config: (c) => (c.schedule = { selfTest: { cron: '0 3 * * 1' } }), key: 'schedule.selfTest.cron', expect: /3 days/ },
  { name: 'cron that does not parse', config: (c) => (c.schedule.usage = { cron: 'every day at noon' }), key: 'schedule.usage.cron', expect: /expected a cron expression/ },
  { name: 'rule for an unknown alarm code', config: (c) => (c.rules = { PASENGER_TRAPPED: { confirmMs: 100 } }), key: 'rules.PASENGER_TRAPPED', expect: /PASSENGER_TRAPPED/ },
  { name: 'debounce of an unknown signal', config: (c) => (c.debounce = { doorzone: { riseMs: 100 } }), key: 'debounce.doorzone', expect: /doorZone/ },
];

/** The file itself: YAML, size, text, nesting, aliases. */
export const FILE_CASES: BadCase[] = [
  { name: 'YAML syntax error', text: () => 'site: { id: x, name: "y"\nbuses: []\n', key: 'line 2, column 1', expect: /invalid YAML/, line: false },
  { name: 'a key twice', text: () => 'site: { id: x, name: y }\nsite: { id: z, name: w }\n', key: 'line 2, column 1', expect: /invalid YAML: Map keys must be unique/, line: false },
  { name: 'an empty file', text: () => '# nothing yet\n', key: '(top level)', expect: /expected a mapping with site, buses, lifts and uplink, got an empty file/, line: false },
  { name: 'a list at the top', text: () => '- site\n- lifts\n', key: '(top level)', expect: /expected a mapping/, line: false },
  { name: 'a binary file', text: () => Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0a]), key: '(top level)', expect: /expected a YAML text file, got a file that is not a text file \(control character 0x7f at column 1\)/ },
  { name: 'a UTF-16 file', text: () => Buffer.from([0xff, 0xfe, 0x73, 0, 0x3a, 0]), key: '(top level)', expect: /expected a UTF-8 text file, got a UTF-16 text file/, line: false },
  { name: 'more than 1 MiB', text: () => `# ${'x'.repeat(1024 * 1024)}\n`, key: '(top level)', expect: /expected a file of at most 1\.0 MiB, got 1\.0 MiB/, line: false },
  { name: 'nesting too deep', text: () => `site: ${'['.repeat(40)}${']'.repeat(40)}\n`, key: '(top level)', expect: /expected YAML nested at most 32 levels deep/ },
  { name: 'an alias bomb', text: () => ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n') + '\n', key: '(top level)', expect: /expected at most 100,000 values with every alias expanded/ },
  { name: 'an alias inside its own anchor', text: () => 'site: &s { id: x, name: y, more: *s }\n', key: '(top level)', expect: /expected an alias to a node defined before it, got \*s inside the node it names/ },
  { name: 'the config is a directory', setup: (d) => void fs.mkdirSync(path.join(d, 'cfg.d')), configPath: (d) => path.join(d, 'cfg.d'), file: (d) => path.join(d, 'cfg.d'), key: '(top level)', expect: /expected a config file \(YAML text\), got a directory/, line: false },
  { name: 'a profile file of 2 MiB', config: (c, d) => (c.lifts[0].profile = write(d, 'big.yaml', `id: big\ntitle: "${'t'.repeat(2 * 1024 * 1024)}"\n`)), file: (d) => path.join(d, 'big.yaml'), key: '(top level)', expect: /expected a file of at most 1\.0 MiB, got 2\.0 MiB/, line: false },
  { name: 'a binary profile', config: (c, d) => (c.lifts[0].profile = write(d, 'bin.yaml', Buffer.from([0x69, 0x64, 0, 0xff]))), file: (d) => path.join(d, 'bin.yaml'), key: '(top level)', expect: /not a text file \(a NUL byte at column 3\)/ },
];

/** What `run` would trip on: the paths it creates and writes. */
export const ENVIRONMENT_CASES: BadCase[] = [
  { name: 'socket on the database', config: (c) => (c.diagnostics.socket = c.storage.path), key: 'diagnostics.socket', expect: /expected a path of its own for the full-access diagnostics socket, got .*lw\.db, which is also storage\.path \(the database\)/ },
  { name: 'socket on the database\'s WAL', config: (c) => (c.diagnostics.socket = c.storage.path + '-wal'), key: 'diagnostics.socket', expect: /which is also storage\.path \(the database's write-ahead log \(lw\.db-wal\)\)/ },
  { name: 'socket on the database\'s shared memory', config: (c) => (c.diagnostics.socket = c.storage.path + '-shm'), key: 'diagnostics.socket', expect: /storage\.path \(the database's shared-memory index/ },
  { name: 'read-only socket on the full one', config: (c) => (c.diagnostics.readOnlySocket = c.diagnostics.socket), key: 'diagnostics.readOnlySocket', expect: /which is also diagnostics\.socket \(the full-access diagnostics socket\)/ },
  { name: 'read-only socket on the database', config: (c) => (c.diagnostics.readOnlySocket = c.storage.path), key: 'diagnostics.readOnlySocket', expect: /which is also storage\.path \(the database\)/ },
  { name: 'socket on the config file', config: (c, d) => (c.diagnostics.socket = path.join(d, 'liftwatch.yaml')), key: 'diagnostics.socket', expect: /which is also the configuration file/ },
  { name: 'database on the config file', config: (c, d) => (c.storage.path = path.join(d, 'liftwatch.yaml')), key: 'storage.path', expect: /expected a path of its own for the database, got .*liftwatch\.yaml, which is also the configuration file/ },
  { name: 'database on the password file', setup: (d) => void write(d, 'pw', 'secret\n'), config: (c, d) => Object.assign(c, { storage: { path: path.join(d, 'pw') }, uplink: { ...c.uplink, username: 'u', passwordFile: path.join(d, 'pw') } }), key: 'storage.path', expect: /which is also uplink\.passwordFile \(the MQTT password file\)/ },
  { name: 'database on the serial port', config: (c, d) => Object.assign(c, { buses: [{ id: 'field', type: 'modbus-rtu', port: path.join(d, 'ttyX') }], storage: { path: path.join(d, 'ttyX') } }), key: 'storage.path', expect: /which is also buses\[0\]\.port \(the serial port of bus field\)/ },
  { name: 'database in a directory named like the socket', config: (c, d) => Object.assign(c, { storage: { path: path.join(d, 'run', 'lw.sock', 'lw.db') } }), key: 'diagnostics.socket', expect: /expected a file path for the full-access diagnostics socket, got .*lw\.sock, a directory that storage\.path \(the database\) is in/ },
  { name: 'a socket named like a commissioning report', config: (c, d) => (c.diagnostics.socket = path.join(d, 'var', 'commissioning-1.json')), key: 'diagnostics.socket', expect: /expected a name other than commissioning-\*\.json\|txt/ },
  { name: 'database path is a directory', setup: (d) => void fs.mkdirSync(path.join(d, 'var', 'lw.db'), { recursive: true }), key: 'storage.path', expect: /expected an SQLite database file \(or no file yet\), got a directory at/ },
  { name: 'database under a regular file', setup: (d) => void write(d, 'var', 'not a directory'), key: 'storage.path', expect: /expected .*\/var to be a directory \(the database is created in it\), got a regular file/ },
  { name: 'database file that is not SQLite', setup: (d) => void write(d, 'var/lw.db', 'precious notes\n'), key: 'storage.path', expect: /expected an SQLite database \(or no file yet\), got .*lw\.db, a file of 15 bytes that is not one; liftwatch neither opens nor overwrites it/ },
  { name: 'database WAL that is a directory', setup: (d) => void fs.mkdirSync(path.join(d, 'var', 'lw.db-wal'), { recursive: true }), key: 'storage.path', expect: /expected the database's write-ahead log \(lw\.db-wal\) to be a regular file \(or absent\), got a directory/ },
  { name: 'a damaged database file', setup: (d) => void write(d, 'var/lw.db', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)])), key: 'storage.path', expect: /expected an SQLite database \(or no file yet\), got .*lw\.db, a damaged SQLite file \(its header is not valid\); liftwatch neither opens nor overwrites it/ },
  { name: 'database where nothing can be created (/proc)', config: (c) => (c.storage.path = '/proc/liftwatch/lw.db'), key: 'storage.path', expect: /expected a directory this user can create the database in \(to make \/proc\/liftwatch\), got \/proc, where nothing can be created/ },
  { name: 'socket path is a regular file', setup: (d) => void write(d, 'run/lw.sock', 'x'), key: 'diagnostics.socket', expect: /expected a path for the full-access diagnostics socket \(nothing there yet, or a socket a stopped liftwatch left\), got a regular file .*; liftwatch removes only its own stale sockets/ },
  { name: 'socket path is a directory', setup: (d) => void fs.mkdirSync(path.join(d, 'run', 'lw.sock'), { recursive: true }), key: 'diagnostics.socket', expect: /got a directory at/ },
  { name: 'read-only socket path is a symbolic link', setup: (d) => { fs.mkdirSync(path.join(d, 'run')); fs.symlinkSync('/etc/hostname', path.join(d, 'run', 'lw-ro.sock')); }, key: 'diagnostics.readOnlySocket', expect: /got a symbolic link at/, line: false },
  { name: 'socket path longer than sun_path', config: (c, d) => (c.diagnostics.socket = path.join(d, 'r'.repeat(120), 'lw.sock')), key: 'diagnostics.socket', expect: /expected a socket path of at most 107 bytes \(unix\(7\) sun_path\), got \d+ bytes/ },
  { name: 'socket directory under a regular file', setup: (d) => void write(d, 'run', 'x'), key: 'diagnostics.socket', expect: /expected .*\/run to be a directory \(the full-access diagnostics socket is created in it\), got a regular file/ },
];

/** What `run` would trip on: credential and TLS files, URLs, ports. */
export const CREDENTIAL_CASES: BadCase[] = [
  { name: 'password file missing', config: (c, d) => Object.assign(c.uplink, { username: 'u', passwordFile: path.join(d, 'nope') }), key: 'uplink.passwordFile', expect: /expected a readable file with the password, got .*nope: no such file \(ENOENT\)/ },
  { name: 'password file is a directory', config: (c, d) => Object.assign(c.uplink, { username: 'u', passwordFile: d }), key: 'uplink.passwordFile', expect: /expected a regular file with the password, got a directory/ },
  { name: 'TLS CA missing', config: (c, d) => Object.assign(c.uplink, { url: 'mqtts://127.0.0.1:9', tls: { ca: path.join(d, 'ca.pem') } }), key: 'uplink.tls.ca', expect: /expected a readable file with a PEM certificate, got .*ca\.pem: no such file \(ENOENT\)/ },
  { name: 'TLS CA that is not PEM', setup: (d) => void write(d, 'ca.pem', PEM_NOT), config: (c, d) => Object.assign(c.uplink, { url: 'mqtts://127.0.0.1:9', tls: { ca: path.join(d, 'ca.pem') } }), key: 'uplink.tls.ca', expect: /expected a PEM certificate, got .*ca\.pem, which is not one/ },
  { name: 'TLS key that is not a key', setup: (d) => { write(d, 'k.pem', 'hello\n'); write(d, 'c.pem', PEM_NOT); }, config: (c, d) => Object.assign(c.uplink, { url: 'mqtts://127.0.0.1:9', tls: { cert: path.join(d, 'c.pem'), key: path.join(d, 'k.pem') } }), key: 'uplink.tls.key', expect: /expected a PEM private key \(unencrypted\), got .*k\.pem, which is not one/ },
  { name: 'TLS certificate without its key', setup: (d) => void write(d, 'c.pem', PEM_NOT), config: (c, d) => Object.assign(c.uplink, { url: 'mqtts://127.0.0.1:9', tls: { cert: path.join(d, 'c.pem') } }), key: 'uplink.tls.key', expect: /expected uplink\.tls\.key too: a client certificate and its key go together/, line: false },
  { name: 'broker password file missing', config: (c, d) => (c.broker = { enabled: true, host: '0.0.0.0', port: 0, username: 'site', passwordFile: path.join(d, 'nope') }), key: 'broker.passwordFile', expect: /expected a readable file with the password, got .*nope: no such file/ },
  { name: 'broker password file empty', setup: (d) => void write(d, 'empty', '\n'), config: (c, d) => (c.broker = { enabled: true, host: '0.0.0.0', port: 0, username: 'site', passwordFile: path.join(d, 'empty') }), key: 'broker.passwordFile', expect: /expected a file holding the password, got an empty file/ },
  { name: 'broker URL that does not parse', config: (c) => (c.uplink.url = 'mqtt://gw@[::1'), key: 'uplink.url', expect: /expected a broker URL such as mqtt:\/\/host:1883 or mqtts:\/\/host:8883, got "mqtt:\/\/gw@\[::1", which does not parse as a URL/ },
  { name: 'broker URL with a bad port', config: (c) => (c.uplink.url = 'mqtt://broker:99999'), key: 'uplink.url', expect: /which does not parse as a URL/ },
  { name: 'embedded broker port in use', setup: async () => await holdPortCase(), config: (c) => (c.broker = { enabled: true, port: HELD.port }), key: 'broker.port', expect: /expected a port the embedded MQTT broker can listen on at 127\.0\.0\.1, got \d+: in use by another process \(EADDRINUSE\)/, check: 0 },
  { name: 'embedded broker on an address of another machine', config: (c, d) => (c.broker = { enabled: true, host: '192.0.2.7', port: 18830, username: 'site', passwordFile: write(d, 'bpw', 'pw\n') }), key: 'broker.port', expect: /got 18830: not an address of this machine \(EADDRNOTAVAIL\)/, line: true },
];

/** The port a case holds while it runs (one case at a time uses it). */
const HELD: { port: number } = { port: 0 };
async function holdPortCase(): Promise<() => Promise<void>> {
  const { holdPort } = await import('./helpers/bad-config.js');
  const h = await holdPort();
  HELD.port = h.port;
  return () => h.close();
}

export const BAD_CASES: BadCase[] = [...SCHEMA_CASES, ...FILE_CASES, ...ENVIRONMENT_CASES, ...CREDENTIAL_CASES];

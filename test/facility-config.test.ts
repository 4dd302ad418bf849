// Bad facility files stop the service before it starts, named with the file, the path and what
// was expected; the examples shipped in config/facility load.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadFacilityConfig } from '../src/facility/config.js';
import { loadDirectory } from '../src/facility/directory.js';
import { bin, root } from './helpers/cli-agent.js';
import { tempDir } from './uplink-helpers.js';

const SITE = (extra: string, tenants = '') => `
sites:
  - id: site1
    name: Via Roma 1
    repairer: { name: R, email: r@example.org }
    operator: { name: O, sms: "+390200000001" }
    lifts:
      - { id: A, gateway: gw1, landings: ["0", "1", "2"] }
${tenants}${extra}`;

void t.test('the shipped examples load', async (t) => {
  const cfg = loadFacilityConfig(path.join(root, 'config/facility/facility.example.yaml'));
  t.equal(cfg.rules.ackTimeoutMs, 45_000);
  const dir = loadDirectory(path.join(root, 'config/facility/directory.example.yaml'));
  t.same(dir.sites[0]?.tenants.map((x) => x.id), ['t1', 't2', 't3', 't4'], 'YAML tenants and the CSV import');
  t.equal(dir.sites[0]?.tenants.find((x) => x.id === 't3')?.name, 'Smith, John', 'a quoted comma in the CSV stays in the name');
});

void t.test('bad directory entries are named with file, path and what was expected', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', SITE('    colour: red\n'), /directory\.yaml: sites\[0\]: unknown key "colour"/],
    ['tenant on a landing no lift serves', SITE('', '    tenants:\n      - { id: t1, name: X, landing: "9", sms: "+390611111111" }\n'), /sites\[0\]\.tenants\[0\]\.landing: a landing one of the site's lifts serves \(0, 1, 2\), got "9"/],
    ['tenant without a contact', SITE('', '    tenants:\n      - { id: t1, name: X, landing: "1" }\n'), /sites\[0\]\.tenants\[0\]: expected an sms number or an email address/],
    ['a phone number not in E.164', SITE('', '    tenants:\n      - { id: t1, name: X, landing: "1", sms: "0611" }\n'), /sites\[0\]\.tenants\[0\]\.sms: expected/],
    ['a tenant id twice', SITE('', '    tenants:\n      - { id: t1, name: X, landing: "1", sms: "+390611111111" }\n      - { id: t1, name: Y, landing: "2", sms: "+390611111112" }\n'), /sites\[0\]\.tenants\[1\]\.id: a tenant id used once per site, got "t1" twice/],
    ['a bad CSV row', SITE('    tenantsCsv: ./t.csv\n'), /t\.csv: row 3\.sms: expected/],
  ];
  writeFileSync(path.join(dir, 't.csv'), 'id,name,landing,sms\nt1,A,1,+390611111111\nt2,B,2,not-a-number\n');
  for (const [name, text, want] of cases) {
    const file = path.join(dir, 'directory.yaml');
    writeFileSync(file, text);
    t.throws(() => loadDirectory(file), want, name);
  }
});

void t.test('bad facility configs stop the binary with exit 3, naming the key, secrets unsaid', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(path.join(dir, 'directory.yaml'), SITE(''));
  writeFileSync(path.join(dir, 'secret'), 'secret-canary-42\n');
  const base = 'mqtt: { url: "mqtt://127.0.0.1:1" }\nstore: ./f.db\ndirectory: ./directory.yaml\n';
  const cases: Array<[string, string, RegExp]> = [
    ['a console off loopback without a login', base + 'console: { host: 0.0.0.0 }\n', /console\.host: a loopback address, or console\.username and console\.passwordFile/],
    ['a missing webhook secret file', base + 'webhooks: { messages: { url: "https://x.example/", secretFile: ./nope } }\n', /webhooks\.messages\.secretFile: expected a readable file holding the secret/],
    ['a URL that is not MQTT', 'mqtt: { url: "http://broker" }\nstore: ./f.db\ndirectory: ./directory.yaml\n', /mqtt\.url: expected: must match pattern/],
    ['a missing store', 'mqtt: { url: "mqtt://b" }\ndirectory: ./directory.yaml\n', /\(top\): expected: must have required property 'store'/],
    // The store's URL holds a password: never echoed, whatever goes wrong with it.
    ['a store URL of another database', base.replace('./f.db', '"mysql://lw:secret-canary-42@db.example/cases"'), /store: a file path \(SQLite\) or a postgres:\/\/ URL \(PostgreSQL\), got mysql:\/\/lw:HIDDEN@db\.example\/cases/],
    ['a PostgreSQL URL without a host', base.replace('./f.db', '"postgres://lw:secret-canary-42@/cases"'), /store: a file path or a postgres:\/\/user@host\/database URL, got postgres:\/\/lw:HIDDEN@\/cases \(not a valid URL\)/],
    ['a PostgreSQL that does not answer', base.replace('./f.db', '"postgresql://lw:secret-canary-42@127.0.0.1:1/cases"'), /console \/ mqtt \/ store: .*ECONNREFUSED/],
    ['a shared group that is not one topic level', base.replace('127.0.0.1:1" }', '127.0.0.1:1", sharedGroup: "a/b" }'), /mqtt\.sharedGroup: expected: must match pattern/],
  ];
  for (const [name, text, want] of cases) {
    const file = path.join(dir, 'facility.yaml');
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [bin, 'facility', '--config', file], { encoding: 'utf8', timeout: 30_000 });
    t.equal(r.status, 3, `${name}: exit 3`);
    t.match(r.stderr, want, `${name}: names the key`);
    t.match(r.stderr, /nothing was started/, `${name}: says nothing started`);
    t.notMatch(r.stderr + r.stdout, /secret-canary-42/, `${name}: no secret`);
  }
});

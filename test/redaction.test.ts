// A canary password in every place a password can go (the broker URL's user-info, the uplink's
// password file, the embedded broker's password file), valid and invalid configs alike, never
// appears in anything liftwatch writes: CLI output, log lines, MQTT payloads, the commissioning
// report. A password inside an invalid `uplink.url` used to be printed in clear by `config
// check` and by `run` (into the journal).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { ConsoleLogger } from './helpers/console-logger.js';
import { Simulator } from '../src/sim/simulator.js';
import { baseConfig, siteDir, writeConfig, type Obj } from './helpers/bad-config.js';
import { bin, cli } from './helpers/cli-agent.js';
import { freePort, waitFor } from './helpers/e2e.js';

const CANARY = 'Kanarie7x9Q';
const quiet = new ConsoleLogger({ level: 'silent' });

/** Everything a run of the binary printed must be free of the canary. */
function clean(t: Test, what: string, text: string): void {
  t.notOk(text.includes(CANARY), `${what}: no canary${text.includes(CANARY) ? `\n${text.slice(Math.max(0, text.indexOf(CANARY) - 200), text.indexOf(CANARY) + 50)}` : ''}`);
}

void t.test('invalid configs: the password in the URL is hidden in every message of config check and run', async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, (c: Obj) => void]> = [
    ['a URL the schema refuses', (c) => (c.uplink.url = `http://gw:${CANARY}@broker.example:1883`)],
    ['a URL that does not parse', (c) => (c.uplink.url = `mqtt://gw:${CANARY}@[broken`)],
    ['a long URL cut in the message', (c) => (c.uplink.url = `ftp://a-rather-long-gateway-user-name:${CANARY}-and-more-of-it@broker.example.net:1883`)],
    ['a password with a space', (c) => (c.uplink.url = `mqtt://gw:pass ${CANARY}@[broken`)],
    ['with other problems beside it', (c) => {
      c.uplink.url = `mqtt://gw:${CANARY}@[broken`;
      c.broker = { enabled: true, host: '0.0.0.0', port: 0, username: 'x', passwordFile: path.join(dir, 'missing') };
    }],
  ];
  for (const [name, mutate] of cases) {
    const c = baseConfig(dir);
    mutate(c);
    const file = writeConfig(dir, c);
    const check = await cli(['config', 'check', file]);
    t.equal(check.code, 3, `${name}: config check refuses it`);
    t.match(check.stderr, /uplink\.url/, `${name}: and names uplink.url`);
    clean(t, `${name}: config check`, check.stdout + check.stderr);
    const run = await cli(['run', '--config', file], { timeoutMs: 20_000 });
    t.equal(run.code, 3, `${name}: run refuses it`);
    clean(t, `${name}: run`, run.stdout + run.stderr);
    const status = await cli(['status', '--config', file]);
    clean(t, `${name}: status`, status.stdout + status.stderr);
  }
  // A YAML syntax error on the URL's own line.
  const text = fs.readFileSync(writeConfig(dir, baseConfig(dir)), 'utf8').replace(/url: .*/, `url: mqtt://gw:${CANARY}@h: [`);
  fs.writeFileSync(path.join(dir, 'syntax.yaml'), text);
  const syntax = await cli(['config', 'check', path.join(dir, 'syntax.yaml')]);
  t.equal(syntax.code, 3);
  clean(t, 'YAML syntax error', syntax.stdout + syntax.stderr);
});

void t.test('valid configs: logs, CLI, MQTT payloads and the commissioning report never hold the password', async (t) => {
  const dir = siteDir();
  const sim = new Simulator({ lifts: [{ unitId: 1, landings: 3, startFloor: 1 }], scenario: { name: 'idle', autoTrips: false, steps: [] } });
  const simPort = (await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'rtu' })).port;
  sim.start();
  // A site broker that wants the canary, for the URL's user-info.
  const broker = new EmbeddedBroker({ port: 0, logger: quiet, credentials: { username: 'gw', password: Buffer.from(CANARY) } });
  const brokerPort = (await broker.start()).port;
  const seen: string[] = [];
  const sub = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { username: 'gw', password: CANARY, reconnectPeriod: 100 });
  sub.on('connect', () => sub.subscribe('#', { qos: 1 }));
  sub.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  t.teardown(async () => {
    await sub.endAsync(true);
    await broker.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => sub.connected, 5000, 'subscriber connected');
  fs.writeFileSync(path.join(dir, 'password'), `${CANARY}\n`);
  fs.writeFileSync(path.join(dir, 'broker-password'), `${CANARY}\n`);
  const site = (c: Obj): Obj => ({
    ...c,
    buses: [{ id: 'field', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: simPort, timeoutMs: 200, retries: 0 }],
    lifts: [{ id: 'A', bus: 'field', unitId: 1, profile: 'liftwatch-sim', landings: ['0', '1', '2'], pollIntervalMs: 100 }],
    logging: { level: 'debug' },
  });
  const ownPort = await freePort();
  const variants: Array<[string, Obj]> = [
    ['the password in the URL', site({ ...baseConfig(dir), uplink: { url: `mqtt://gw:${CANARY}@127.0.0.1:${brokerPort}`, reconnectMinMs: 100, reconnectMaxMs: 500 } })],
    ['the password in uplink.passwordFile', site({ ...baseConfig(dir), uplink: { url: `mqtt://127.0.0.1:${brokerPort}`, username: 'gw', passwordFile: path.join(dir, 'password'), reconnectMinMs: 100, reconnectMaxMs: 500 } })],
    ['the embedded broker\'s password file', site({
      ...baseConfig(dir),
      broker: { enabled: true, host: '127.0.0.1', port: ownPort, username: 'gw', passwordFile: path.join(dir, 'broker-password') },
      uplink: { url: `mqtt://gw:${CANARY}@127.0.0.1:${ownPort}`, reconnectMinMs: 100, reconnectMaxMs: 500 },
    })],
  ];
  for (const [name, config] of variants) {
    const file = writeConfig(dir, config);
    const check = await cli(['config', 'check', file]);
    t.equal(check.code, 0, `${name}: valid (${check.stderr})`);
    clean(t, `${name}: config check`, check.stdout + check.stderr);
    const agent = spawn(process.execPath, [bin, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    agent.stdout.on('data', (d: Buffer) => (log += d.toString()));
    agent.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise((res) => agent.once('exit', res));
    await waitFor(() => /"msg":"connected to the MQTT broker"/.test(log), 20_000, `${name}: the agent connected`);
    const outputs = [
      await cli(['status', '--config', file]),
      await cli(['status', '--config', file, '--json']),
      await cli(['test-alarm', '--config', file, '--lift', 'A']),
      await cli(['history', '--config', file, '--json']),
      await cli(['commission', '--config', file, '--skip', 'clock-synchronised']),
    ];
    t.equal(outputs[2]!.code, 0, `${name}: the test call went through the broker (${outputs[2]!.stderr})`);
    outputs.forEach((o, i) => clean(t, `${name}: CLI output ${i}`, o.stdout + o.stderr));
    agent.kill('SIGTERM');
    await exited;
    clean(t, `${name}: every log line of run (debug level)`, log);
    t.match(log, /HIDDEN|connected to the MQTT broker/, `${name}: the log was captured`);
  }
  const reports = fs.readdirSync(path.join(dir, 'var')).filter((f) => f.startsWith('commissioning-'));
  t.ok(reports.length >= 2, 'commissioning reports were written');
  for (const f of reports) clean(t, `report ${f}`, fs.readFileSync(path.join(dir, 'var', f), 'utf8'));
  t.ok(seen.some((m) => m.includes('/commissioning ')), 'the report was published');
  t.ok(seen.some((m) => m.includes('/health ')), 'health was published');
  clean(t, 'every MQTT payload', seen.join('\n'));
});

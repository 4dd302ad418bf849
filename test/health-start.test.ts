// One setting for the health message, and a first message worth reading. `liftwatch run` used to
// publish its first health before any bus was open (every bus closed, every unit unknown), and
// `rebirth` re-sent that stale message; `uplink.healthIntervalSec` was silently ignored while
// `schedule.health` ran. Now the first message waits for every lift's first poll, a rebirth
// rebuilds it, `schedule.health` alone sets the pace, and the old key is warned about.
import fs from 'node:fs';
import t from 'tap';
import { cli, rig } from './helpers/cli-agent.js';
import { subscribe, waitFor } from './helpers/e2e.js';

void t.test('the first health message describes polled buses; rebirth re-sends a fresh one', async (t) => {
  const r = await rig({ lifts: [{ id: 'A', unitId: 1, landings: ['0', '1', '2'] }, { id: 'B', unitId: 2, landings: ['0', '1'] }] });
  t.teardown(() => r.close());
  // Lift B's unit does not exist on the simulator's bus: its polls fail, and that counts as polled.
  fs.writeFileSync(r.configFile, fs.readFileSync(r.configFile, 'utf8').replace('unitId: 2,', 'unitId: 9,'));
  const sub = await subscribe(r.brokerPort, `${r.root}/#`);
  t.teardown(() => sub.close());
  await r.startAgent();
  const healths = () => sub.messages.filter((m) => m.topic === `${r.root}/health`).map((m) => m.payload);
  const first = await waitFor(() => healths()[0], 20_000, 'the first health message');
  const bus = (first['buses'] as Array<Record<string, any>>)[0]!;
  t.equal(bus['state'], 'open', 'the bus is open in the first message');
  t.ok(bus['opens'] >= 1, 'and was opened');
  for (const u of bus['units'] as Array<Record<string, any>>) t.ok(u['polls'] >= 1, `unit ${u['unitId']} polled before the first message`);
  t.match(bus['units'], [{ liftId: 'A', link: 'ok' }, { liftId: 'B', link: 'failing' }]);

  const before = healths().length;
  sub.client.publish(`${r.root}/request/rebirth`, JSON.stringify({ transaction: 'rb1' }), { qos: 1 });
  const response = await waitFor(() => sub.messages.find((m) => m.topic === `${r.root}/response/rebirth`), 10_000, 'rebirth answered');
  t.match(response.payload, { ok: true });
  const fresh = await waitFor(() => healths().slice(before).at(-1), 5000, 'health re-sent by the rebirth');
  t.ok(Date.parse(fresh['at'] as string) > Date.parse(first['at'] as string), 'a new message, not the one sent at start');
  t.ok((fresh['buses'] as Array<Record<string, any>>)[0]!['units'][0]['polls'] > bus['units'][0]['polls'], 'with the counts of now');
  t.equal(await r.stopAgent(), 0);
});

void t.test('schedule.health is the one setting: uplink.healthIntervalSec is warned about and has no effect', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  const text = fs.readFileSync(r.configFile, 'utf8');
  // The old key, with a period that would publish at once and then never again within the test.
  fs.writeFileSync(r.configFile, text.replace('reconnectMaxMs: 500 }', 'reconnectMaxMs: 500, healthIntervalSec: 86400 }') + 'schedule: { health: { cron: "* * * * * *" } }\n');
  const check = await cli(['config', 'check', r.configFile]);
  t.equal(check.code, 0, check.stderr);
  t.match(check.stdout, /warning: .*uplink\.healthIntervalSec: expected no uplink\.healthIntervalSec: it is ignored; the health message follows schedule\.health\.cron/);
  const sub = await subscribe(r.brokerPort, `${r.root}/health`);
  t.teardown(() => sub.close());
  await r.startAgent();
  await waitFor(() => sub.messages.length >= 3, 15_000, 'health every second, as schedule.health says');
  t.match(r.agentLog(), /uplink\.healthIntervalSec: expected no uplink\.healthIntervalSec/, 'the start warns too');
  t.equal(await r.stopAgent(), 0);
});

void t.test('schedule.health switched off: no health message at all', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  fs.appendFileSync(r.configFile, 'schedule: { health: { enabled: false } }\n');
  const sub = await subscribe(r.brokerPort, `${r.root}/#`);
  t.teardown(() => sub.close());
  await r.startAgent();
  await waitFor(() => sub.messages.some((m) => m.topic.endsWith('/lift/A/state') && m.payload['link'] === 'ok'), 10_000, 'lift A polled');
  await new Promise((res) => setTimeout(res, 1500));
  t.same(sub.messages.filter((m) => m.topic.endsWith('/health')), [], 'nothing on <root>/health');
  t.equal(await r.stopAgent(), 0);
});

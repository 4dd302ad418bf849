/**
 * The published contract (docs/mqtt-api.md, docs/asyncapi.yaml, docs/schemas/*.schema.json)
 * checked against messages really published by the running agent (embedded aedes, simulator,
 * SQLite outbox, MQTT uplink): status (birth and will), lift state, events of every lifecycle
 * the requests can cause, responses (ok and error), health. The data_gap payload comes from the
 * store's own builder. Every JSON example in docs/mqtt-api.md must validate too.
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { dataGapPayload } from '../src/store/data-gap.js';
import { facilityClient, startAgent, type Message } from './contract-helpers.js';
import { tempDir, waitFor } from './uplink-helpers.js';

const ROOT_DIR = new URL('../../', import.meta.url);
const SCHEMA_DIR = new URL('docs/schemas/', ROOT_DIR);

function validators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
  const byName = new Map<string, ValidateFunction>();
  for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) {
    const schema = JSON.parse(readFileSync(new URL(f, SCHEMA_DIR), 'utf8')) as { title: string };
    byName.set(schema.title, ajv.compile(schema)); // title = the payload's `schema` value
  }
  return byName;
}

const V = validators();

function check(t: { ok(v: unknown, m: string): void; fail(m: string): void }, json: Record<string, unknown>, where: string): void {
  const v = V.get(String(json['schema']));
  if (!v) return t.fail(`${where}: no schema for ${String(json['schema'])}`);
  const ok = v(json);
  t.ok(ok, `${where}: ${String(json['schema'])} valid${ok ? '' : ` ${JSON.stringify(v.errors)} in ${JSON.stringify(json)}`}`);
}

void t.test('one schema per payload', async (t) => {
  t.same([...V.keys()].sort(), ['liftwatch.data_gap/1', 'liftwatch.event/1', 'liftwatch.health/1', 'liftwatch.response/1', 'liftwatch.state/1', 'liftwatch.status/1']);
});

void t.test('messages published by the running agent match the schemas', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const { root } = agent;
  const fac = await facilityClient(`mqtt://127.0.0.1:${agent.brokerPort}`, [`${root}/#`]);
  t.teardown(() => fac.close());
  const events = () => fac.got.filter((m) => m.topic.endsWith('/event')).map((m) => m.json);
  const request = async (op: string, body: Record<string, unknown>) => {
    const n = fac.got.length;
    await fac.client.publishAsync(`${root}/request/${op}`, JSON.stringify(body), { qos: 1 });
    await waitFor(() => fac.got.slice(n).some((m) => m.topic === `${root}/response/${op}`), 5000, `response ${op}`);
  };

  agent.stack.simulator?.lift(1).inject({ kind: 'alarm-button', durationMs: 1500 });
  await waitFor(() => events().some((e) => e['lifecycle'] === 'raised'), 10_000, 'raised');
  const alarmId = events().find((e) => e['lifecycle'] === 'raised')?.['alarmId'];
  await request('ack', { transaction: 1, alarmId, by: 'desk' });
  await request('reset', { transaction: 'r', liftId: 'A' });
  await waitFor(() => events().some((e) => e['lifecycle'] === 'end_of_alarm'), 5000, 'end_of_alarm');
  await request('ping', {});
  await request('test', { liftId: 'A' });
  await request('rebirth', {});
  await request('nope', {});
  await request('ack', { alarmId: 'missing' });
  agent.stack.composed.health.publishNow();
  // The will: cut the agent's socket; the broker publishes its offline status.
  agent.stack.broker?.dropConnections('liftwatch-gw1');
  await waitFor(() => fac.got.some((m) => m.topic === `${root}/status` && m.json['state'] === 'offline'), 5000, 'will');
  await waitFor(() => fac.got.filter((m) => m.topic === `${root}/health`).length > 0, 5000, 'health');

  const kinds = new Map<string, Message[]>();
  for (const m of fac.got) {
    if (m.topic.includes('/request/')) continue;
    const k = m.topic.slice(root.length + 1).replace(/^lift\/[^/]+\//, 'lift/+/');
    kinds.set(k, [...(kinds.get(k) ?? []), m]);
    check(t, m.json, m.topic);
  }
  t.same([...kinds.keys()].sort(), ['health', 'lift/+/event', 'lift/+/state', 'response/ack', 'response/nope', 'response/ping', 'response/rebirth', 'response/reset', 'response/test', 'status'].sort());
  const lifecycles = new Set(events().map((e) => e['lifecycle']));
  for (const l of ['raised', 'acknowledged', 'end_of_alarm']) t.ok(lifecycles.has(l), `a ${l} event was checked`);
  t.ok(fac.got.some((m) => m.json['ok'] === false), 'an error response was checked');
});

void t.test('data_gap from the store builder', async (t) => {
  const at = Date.UTC(2025, 5, 1, 12);
  const gap = dataGapPayload(
    { from: at - 86_400_000, to: at - 3_600_000, count: 1200, priorities: { info: 1100, minor: 100 }, at },
    { topic: 'liftwatch/site1/gw1/data_gap', gatewayId: 'gw1', site: { id: 'site1', name: 'Site One' } },
  );
  check(t, { ...gap, eventId: '6c0e0d1e-0000-4000-8000-000000000001', seq: 5012, historical: false }, 'data_gap');
});

void t.test('every JSON example in docs/mqtt-api.md validates', async (t) => {
  const md = readFileSync(new URL('docs/mqtt-api.md', ROOT_DIR), 'utf8');
  const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  t.ok(blocks.length >= 8, `found ${blocks.length} examples`);
  for (const b of blocks) {
    const json = JSON.parse(b) as Record<string, unknown>;
    if (typeof json['schema'] === 'string') check(t, json, `example ${String(json['schema'])}`);
  }
});

void t.test('docs/asyncapi.yaml names every channel and refers to existing schemas', async (t) => {
  const doc = parseYaml(readFileSync(new URL('docs/asyncapi.yaml', ROOT_DIR), 'utf8')) as Record<string, unknown>;
  t.match(String(doc['asyncapi']), /^(2\.6|3\.0)/);
  const text = readFileSync(new URL('docs/asyncapi.yaml', ROOT_DIR), 'utf8');
  for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) t.match(text, `./schemas/${f}`, `refers to ${f}`);
  for (const ref of text.matchAll(/\$ref: '?\.\/schemas\/([\w-]+\.schema\.json)/g)) {
    t.doesNotThrow(() => readFileSync(new URL(ref[1] ?? '', SCHEMA_DIR)), `${ref[1]} exists`);
  }
  const channels = Object.keys((doc['channels'] ?? {})).join(' ');
  for (const c of ['status', 'health', 'data_gap', 'event', 'state', 'request', 'response']) t.match(channels, c, `channel ${c}`);
});

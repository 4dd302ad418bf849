// The facility side's actions through a real HTTP webhook sink and a real SMTP server: tenants told
// once however many lifts fail, the repairer told of every major or critical raise, the CRM of
// every step, the operator called when a critical alarm is not acknowledged in time.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RULES } from '../src/facility/actions.js';
import type { EventMessage, Lifecycle } from '../src/facility/contract.js';
import { loadDirectory } from '../src/facility/directory.js';
import { DEFAULT_SILENCE } from '../src/facility/escalation.js';
import { FacilityService } from '../src/facility/service.js';
import { SmtpSender } from '../src/facility/smtp.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import { signature, WebhookSender } from '../src/facility/webhook.js';
import { smtpSink, webhookSink } from './helpers/facility-sinks.js';
import { tempDir } from './uplink-helpers.js';

const SECRET = 'hook-secret-canary';
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

const DIRECTORY = `
sites:
  - id: site1
    name: Via Roma 1
    language: it
    repairer: { name: Ascensori Rapidi, email: dispatch@repair.example }
    operator: { name: Desk, sms: "+390200000001" }
    lifts:
      - { id: A, gateway: gw1, label: Lift A, landings: ["0", "1", "2", "3"] }
      - { id: B, gateway: gw1, label: Lift B, landings: ["0", "1", "2", "3", "4", "5"] }
    tenants:
      - { id: t1, name: Rossi, landing: "1", sms: "+390611111111" }
      - { id: t2, name: Huber, landing: "5", email: huber@example.org, language: de }
      - { id: t3, name: Smith, landing: "2", sms: "+441234567890", language: en }
`;

let seq = 0;
function ev(alarmId: string, lift: 'A' | 'B', code: string, severity: EventMessage['severity'], lifecycle: Lifecycle, atMs: number): EventMessage {
  const landings = lift === 'A' ? ['0', '1', '2', '3'] : ['0', '1', '2', '3', '4', '5'];
  const closing = lifecycle === 'cleared' || lifecycle === 'end_of_alarm';
  return {
    schema: 'liftwatch.event/1', eventId: `${alarmId}-${lifecycle}`, seq: ++seq, alarmId, lifecycle, code, severity,
    site: { id: 'site1', name: 'Site One' }, gatewayId: 'gw1', lift: { id: lift, label: `Lift ${lift}` }, landings,
    floor: '1', floorIndex: 1, occurredAt: new Date(T0).toISOString(), confirmedAt: new Date(T0 + 300).toISOString(),
    clearedAt: closing ? new Date(atMs).toISOString() : null, at: new Date(atMs).toISOString(), controllerCode: null,
    evidence: null, historical: false, ...(lifecycle === 'end_of_alarm' ? { endOfAlarmSource: 'input' as const } : {}),
  };
}

async function setUp(t: Test) {
  const { dir, cleanup } = tempDir();
  const dirFile = path.join(dir, 'directory.yaml');
  writeFileSync(dirFile, DIRECTORY);
  const sms = await webhookSink();
  const crm = await webhookSink();
  const smtp = await smtpSink();
  let now = T0;
  const clock = { get: () => now, set: (ms: number) => (now = ms) };
  const store = new SqliteFacilityStore(path.join(dir, 'facility.db'), T0);
  const service = new FacilityService({
    store,
    directory: loadDirectory(dirFile),
    senders: {
      sms: new WebhookSender({ url: sms.url, secret: SECRET, timeoutMs: 2000, now: clock.get }),
      crm: new WebhookSender({ url: crm.url, secret: SECRET, timeoutMs: 2000, now: clock.get }),
      email: new SmtpSender({ url: smtp.url, from: 'liftwatch@facility.example', timeoutMs: 5000 }),
    },
    rules: DEFAULT_RULES,
    silence: DEFAULT_SILENCE,
    now: clock.get,
  });
  t.teardown(async () => {
    await service.stop();
    await store.close();
    await Promise.all([sms.close(), crm.close(), smtp.close()]);
    cleanup();
  });
  return { service, store, sms, crm, smtp, clock };
}

void t.test('two lifts out at once: each tenant gets one text naming both, in their language; redelivery sends nothing more', async (t) => {
  const { service, sms, crm, smtp, clock } = await setUp(t);
  const outA = ev('a1', 'A', 'OUT_OF_SERVICE', 'major', 'raised', T0);
  const outB = ev('b1', 'B', 'SAFETY_CHAIN_OPEN', 'major', 'raised', T0 + 2000);
  for (const e of [outA, outB, outA, { ...outB, historical: true }]) await service.handleEvent(e);
  clock.set(T0 + 5_000);
  await service.delivery.runOnce();
  t.equal(sms.calls.length, 0, 'tenant texts wait for other lifts to join (grouping window)');
  clock.set(T0 + 20_000);
  await service.delivery.runOnce();
  const texts = sms.calls.map((c) => `${c.json['to'].id}: ${c.json['text']}`).sort();
  t.same(texts, [
    't1: Via Roma 1: Lift A e Lift B fuori servizio. Il guasto è noto e in gestione; non serve chiamare.',
    't3: Via Roma 1: Lift A and Lift B out of service. The fault is known and being handled; no need to call.',
  ], 'one text per tenant, both lifts named, Italian and English');
  const tenantMail = smtp.mails.filter((m) => m.to.includes('huber@example.org'));
  t.equal(tenantMail.length, 1, 'the tenant on landing 5 (served by B only) gets one e-mail');
  t.match(tenantMail[0]?.raw, /Lift B au=C3=9Fer Betrieb|Lift B außer Betrieb/, 'in German, naming only lift B');
  t.equal(smtp.mails.filter((m) => m.to.includes('dispatch@repair.example')).length, 2, 'the repairer hears of each major raise once');
  t.equal(crm.calls.length, 2, 'the CRM gets each step once');
  for (const c of [...sms.calls, ...crm.calls]) {
    const ts = String(c.headers['x-liftwatch-timestamp']);
    t.equal(c.headers['x-liftwatch-signature'], signature(SECRET, ts, c.body), 'the signature verifies with the shared secret');
    t.ok(String(c.headers['idempotency-key']).length > 0, 'an idempotency key');
    t.notMatch(c.body, SECRET, 'the secret is never sent');
  }
  for (const e of [outA, outB]) await service.handleEvent({ ...e, historical: true });
  clock.set(T0 + 60_000);
  await service.delivery.runOnce();
  t.equal(sms.calls.length, 2, 'a redelivered raise sends nothing more');

  await service.handleEvent(ev('a1', 'A', 'OUT_OF_SERVICE', 'major', 'cleared', T0 + 90_000));
  clock.set(T0 + 120_000);
  await service.delivery.runOnce();
  t.same(sms.calls.slice(2).map((c) => c.json['text']).sort(), [
    'Via Roma 1: Lift A and Lift B back in service. Thank you for your patience.'.replace(' and Lift B', ''),
    'Via Roma 1: Lift A di nuovo in servizio. Grazie per la pazienza.',
  ].sort(), 'lift A back: its tenants told once; lift B is still out');
});

void t.test('an info test call tells no tenant and no repairer; the CRM still records it', async (t) => {
  const { service, sms, crm, smtp, clock } = await setUp(t);
  await service.handleEvent(ev('tc', 'A', 'TEST_CALL', 'info', 'raised', T0));
  await service.handleEvent(ev('tc', 'A', 'TEST_CALL', 'info', 'cleared', T0));
  clock.set(T0 + 60_000);
  await service.delivery.runOnce();
  t.equal(sms.calls.length, 0);
  t.equal(smtp.mails.length, 0);
  t.equal(crm.calls.length, 2);
});

void t.test('a trapped passenger not acknowledged within 45 s calls the operator; one acknowledged in time does not', async (t) => {
  const { service, store, sms, clock } = await setUp(t);
  await service.handleEvent(ev('pt1', 'A', 'PASSENGER_TRAPPED', 'critical', 'raised', T0));
  await service.handleEvent(ev('pt2', 'B', 'PASSENGER_TRAPPED', 'critical', 'raised', T0));
  clock.set(T0 + 10_000);
  await service.handleEvent(ev('pt2', 'B', 'PASSENGER_TRAPPED', 'critical', 'acknowledged', T0 + 10_000));
  clock.set(T0 + 44_000);
  await service.delivery.runOnce();
  t.equal(sms.calls.filter((c) => c.json['kind'] === 'operator').length, 0, 'nobody called before 45 s');
  clock.set(T0 + 46_000);
  await service.delivery.runOnce();
  const calls = sms.calls.filter((c) => c.json['kind'] === 'operator');
  t.equal(calls.length, 1, 'one call, for the unacknowledged alarm');
  t.match(calls[0]?.json['text'], /Lift A: PASSENGER_TRAPPED \(critical\) .*not acknowledged within 45 s/);
  t.equal(calls[0]?.json['case']?.alarmId, 'pt1', 'with the case');
  t.equal((await store.actionsOf('pt2')).find((a) => a.kind === 'operator')?.state, 'superseded', 'the acknowledged one is dropped');
});

void t.test('a failing webhook is retried with the same key until it answers; a refusal is given up and shown', async (t) => {
  const { service, store, crm, clock } = await setUp(t);
  crm.answers.push(503, 503);
  await service.handleEvent(ev('d1', 'A', 'DOOR_CLOSE_FAULT', 'minor', 'raised', T0));
  for (let i = 1; i <= 4; i++) {
    clock.set(T0 + i * 10_000);
    await service.delivery.runOnce();
  }
  t.equal(crm.calls.length, 1, 'delivered once after two 503s');
  t.equal((await store.actionsOf('d1')).find((a) => a.kind === 'crm')?.attempts, 3, 'three attempts');
  crm.answers.push(400);
  await service.handleEvent(ev('d1', 'A', 'DOOR_CLOSE_FAULT', 'minor', 'cleared', T0 + 50_000));
  clock.set(T0 + 60_000);
  await service.delivery.runOnce();
  const refused = (await store.actionsOf('d1')).filter((a) => a.kind === 'crm').at(-1);
  t.equal(refused?.state, 'failed');
  t.match(refused?.lastError, /HTTP 400/);
});

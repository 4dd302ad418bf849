// The facility console in a real headless browser (Debian's chromium, driven by playwright-core):
// open cases with their timelines, live updates without reloading, acknowledge and close from the
// page, and a login that guards the tenants' contacts.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import { EmbeddedBroker } from '../src/broker/embedded.js';
import { composeFacility } from '../src/facility/compose.js';
import type { FacilityConfig } from '../src/facility/config.js';
import type { EventMessage, Lifecycle } from '../src/facility/contract.js';
import { loadDirectory } from '../src/facility/directory.js';
import { needTool } from './helpers/tools.js';
import { webhookSink } from './helpers/facility-sinks.js';
import { captureLogger, tempDir, waitFor } from './uplink-helpers.js';

const DIRECTORY = `
sites:
  - id: site1
    name: Via Roma 1
    repairer: { name: Repairs, email: dispatch@repair.example }
    operator: { name: Desk, sms: "+390200000001" }
    lifts:
      - { id: A, gateway: gw1, label: Lift A, landings: ["0", "1", "2"] }
    tenants:
      - { id: t1, name: Rossi, landing: "1", sms: "+390611111111", language: it }
`;

let seq = 0;
function ev(alarmId: string, code: string, severity: EventMessage['severity'], lifecycle: Lifecycle): EventMessage {
  const at = new Date().toISOString();
  return {
    schema: 'liftwatch.event/1', eventId: `${alarmId}-${lifecycle}-${++seq}`, seq, alarmId, lifecycle, code, severity,
    site: { id: 'site1', name: 'Site One' }, gatewayId: 'gw1', lift: { id: 'A', label: 'Lift A' }, landings: ['0', '1', '2'],
    floor: '1', floorIndex: 1, occurredAt: at, confirmedAt: at, clearedAt: null, at, controllerCode: null, evidence: null, historical: false,
    ...(lifecycle === 'acknowledged' ? { detail: 'acknowledged by console' } : {}),
  };
}

async function setUp(t: Test, login: boolean) {
  const broker = new EmbeddedBroker({ port: 0, logger: captureLogger() });
  const { port } = await broker.start();
  const { dir, cleanup } = tempDir();
  writeFileSync(path.join(dir, 'directory.yaml'), DIRECTORY);
  const sink = await webhookSink();
  const cfg: FacilityConfig = {
    file: path.join(dir, 'facility.yaml'),
    mqtt: { url: `mqtt://127.0.0.1:${port}`, clientId: `console-test-${login}`, topicPrefixes: ['liftwatch'] },
    store: path.join(dir, 'facility.db'),
    directory: path.join(dir, 'directory.yaml'),
    webhooks: { messages: { url: sink.url, secret: 's', timeoutMs: 2000 } },
    rules: { tenantGroupMs: 0, ackTimeoutMs: 45_000, healthStaleMs: 300_000, testCallMaxMs: 3 * 86_400_000 },
    delivery: { claimMs: 180_000 },
    console: { host: '127.0.0.1', port: 0, ...(login ? { username: 'desk', password: 'pw-canary-7' } : {}) },
  };
  const facility = composeFacility(cfg, { directory: loadDirectory(cfg.directory) });
  const { consoleUrl } = await facility.start();
  const gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const requests: Array<{ topic: string; json: Record<string, unknown> }> = [];
  gw.on('message', (topic, payload) => requests.push({ topic, json: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await gw.subscribeAsync('liftwatch/site1/gw1/request/#', { qos: 1 });
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
  t.teardown(async () => {
    await browser.close();
    await gw.endAsync(true);
    await facility.stop();
    await broker.stop();
    await sink.close();
    cleanup();
  });
  const publish = (e: EventMessage) => gw.publishAsync('liftwatch/site1/gw1/lift/A/event', JSON.stringify(e), { qos: 1 });
  return { consoleUrl, browser, publish, requests, facility };
}

void t.test('open cases live, acknowledged and closed from the page, contacts masked without a login', async (t) => {
  if (needTool(t, 'chromium', 'chromium') === null) return;
  const { consoleUrl, browser, publish, requests, facility } = await setUp(t, false);
  await publish(ev('pt1', 'PASSENGER_TRAPPED', 'critical', 'raised'));
  await waitFor(() => facility.store.getCase('pt1') !== undefined, 10_000, 'case pt1');
  const page = await browser.newPage();
  await page.goto(consoleUrl);
  await page.waitForSelector('[data-alarm="pt1"]');
  t.match(await page.textContent('[data-alarm="pt1"]'), /PASSENGER_TRAPPED.*Lift A/, 'the open case with its lift');
  await page.waitForSelector('#live:has-text("live")');

  await publish(ev('d1', 'DOOR_CLOSE_FAULT', 'minor', 'raised'));
  await page.waitForSelector('[data-alarm="d1"]', { timeout: 10_000 });
  t.pass('a new case appears without reloading');

  await waitFor(async () => (await facility.store.actionsOf('pt1')).some((a) => a.kind === 'tenant_out' && a.state === 'sent'), 10_000, 'tenant text sent');
  await page.waitForFunction("document.querySelector('#actions tbody')?.textContent?.includes('tenant_out')");
  const actions = (await page.textContent('#actions tbody')) ?? '';
  t.notMatch(actions, /\+390611111111/, 'the tenant number is not shown without a login');
  t.match(actions, /•+111/, 'only its last digits');

  await page.click('[data-alarm="pt1"] .ack-btn');
  await waitFor(() => requests.some((r) => r.topic.endsWith('/request/ack')), 10_000, 'ack request');
  const ack = requests.find((r) => r.topic.endsWith('/request/ack'))!;
  t.equal(ack.topic, 'liftwatch/site1/gw1/request/ack', 'the ack goes to the gateway that raised the alarm');
  t.same({ alarmId: ack.json['alarmId'], by: ack.json['by'] }, { alarmId: 'pt1', by: 'console' });
  await publish(ev('pt1', 'PASSENGER_TRAPPED', 'critical', 'acknowledged'));
  await page.waitForSelector('[data-alarm="pt1"] .ack', { timeout: 10_000 });
  t.pass('the gateway\'s acknowledged event shows on the case');

  await page.click('[data-alarm="d1"] .close-btn');
  await page.waitForSelector('[data-alarm="d1"]', { state: 'detached', timeout: 10_000 });
  t.equal((await facility.store.getCase('d1'))?.closedBy, 'console', 'closed by a person, recorded');
});

void t.test('with a login configured the page and the API ask for it; logged in, contacts are shown', async (t) => {
  if (needTool(t, 'chromium', 'chromium') === null) return;
  const { consoleUrl, browser, publish, facility } = await setUp(t, true);
  await publish(ev('o1', 'OUT_OF_SERVICE', 'major', 'raised'));
  await waitFor(async () => (await facility.store.actionsOf('o1')).some((a) => a.kind === 'tenant_out' && a.state === 'sent'), 10_000, 'tenant text sent');
  const api = await fetch(new URL('/api/overview', consoleUrl));
  t.equal(api.status, 401, 'the API refuses without a session');
  const page = await browser.newPage();
  await page.goto(consoleUrl);
  t.match(page.url(), /\/login$/, 'the page sends to the login');
  await page.fill('input[name=username]', 'desk');
  await page.fill('input[name=password]', 'wrong');
  await page.click('button');
  t.match(await page.textContent('body'), /Wrong user or password/);
  await page.fill('input[name=username]', 'desk');
  await page.fill('input[name=password]', 'pw-canary-7');
  await page.click('button');
  await page.waitForSelector('[data-alarm="o1"]');
  await page.waitForFunction("document.querySelector('#actions tbody')?.textContent?.includes('+390611111111')");
  t.pass('logged in, the tenant contact is shown');
  t.notMatch(await page.content(), /pw-canary-7/, 'the password is not in the page');
});

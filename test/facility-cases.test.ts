// The facility side's cases: one per alarmId, the same whatever the delivery did to the steps.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyEvent, closesCase, type Case } from '../src/facility/cases.js';
import { ContractCheck } from '../src/facility/contract-check.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import type { Planner } from '../src/facility/ports.js';

const noActions: Planner = () => [];
import type { EventMessage } from '../src/facility/contract.js';
import { chaoticDelivery, districtDay } from './helpers/facility-day.js';

const day = districtDay({ gateways: 6, liftsPerGateway: 3, incidentsPerLift: 12, seed: 11 });

function scratch(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lw-facility-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function byAlarm(cases: Case[]): Record<string, Case> {
  return Object.fromEntries(cases.map((c) => [c.alarmId, c]));
}

void t.test('the generated day follows the published event schema (else the fuzz below proves nothing)', async (t) => {
  const check = new ContractCheck();
  const bad = day.map((e) => check.check('event', JSON.stringify(e))).filter((r) => !r.ok);
  t.same(bad, [], 'every event of the day validates');
  t.ok(day.length > 400, `a day of ${day.length} events`);
});

void t.test('duplicated, reordered and late delivery ends in the in-order case states (SQLite files)', async (t) => {
  const dir = scratch(t);
  const inOrder = new SqliteFacilityStore(path.join(dir, 'in-order.db'), 0);
  const chaos = new SqliteFacilityStore(path.join(dir, 'chaos.db'), 0);
  t.teardown(async () => { await inOrder.close(); await chaos.close(); });
  for (const e of day) await inOrder.handleEvent(e, noActions, 0);
  const delivered = chaoticDelivery(day, 5);
  let duplicates = 0;
  for (const e of delivered) if ((await chaos.handleEvent(e, noActions, 0)).outcome === 'duplicate') duplicates++;
  t.equal(duplicates, delivered.length - day.length, 'every redelivery, and only those, is a duplicate');
  const expected = byAlarm((await inOrder.listCases()));
  const got = byAlarm((await chaos.listCases()));
  t.equal(Object.keys(got).length, new Set(day.map((e) => e.alarmId)).size, 'one case per alarmId');
  t.same(got, expected, 'the same cases, field by field and step by step');
  const open = (await inOrder.listCases({ status: 'open' }));
  t.ok(open.length > 0 && open.every((c) => c.code === 'MAINS_POWER_FAILURE'), 'only the incidents left unended stay open');
});

void t.test('a store reopened after a restart has every case and still drops redeliveries', async (t) => {
  const file = path.join(scratch(t), 'cases.db');
  const first = new SqliteFacilityStore(file, 0);
  const half = day.slice(0, Math.floor(day.length / 2));
  for (const e of half) await first.handleEvent(e, noActions, 0);
  const before = (await first.listCases());
  await first.close();
  const again = new SqliteFacilityStore(file, 0);
  t.teardown(() => again.close());
  t.same((await again.listCases()), before, 'cases survive the restart');
  t.equal((await again.handleEvent({ ...half[0]!, historical: true }, noActions, 0)).outcome, 'duplicate', 'a redelivery after the restart is a duplicate');
});

function step(over: Partial<EventMessage>): EventMessage {
  return { ...day.find((e) => e.code === 'PASSENGER_TRAPPED' && e.lifecycle === 'raised')!, ...over };
}

void t.test('a trapped passenger closes on end_of_alarm, not on cleared; other codes close on cleared', async (t) => {
  t.equal(closesCase('PASSENGER_TRAPPED', 'cleared'), false);
  t.equal(closesCase('PASSENGER_TRAPPED', 'end_of_alarm'), true);
  t.equal(closesCase('OUT_OF_SERVICE', 'cleared'), true);
  const raised = step({});
  const c1 = applyEvent(undefined, raised).case;
  const c2 = applyEvent(c1, { ...raised, eventId: 'e-cleared', seq: raised.seq + 1, lifecycle: 'cleared' }).case;
  t.equal(c2.status, 'open', 'a cleared trapped passenger is still a case to end on site');
  const c3 = applyEvent(c2, { ...raised, eventId: 'e-end', seq: raised.seq + 2, lifecycle: 'end_of_alarm', endOfAlarmSource: 'remote' }).case;
  t.equal(c3.status, 'closed');
});

void t.test('a clear for an unknown alarm opens and closes its case (the raise comes later, or never)', async (t) => {
  const cleared = day.find((e) => e.lifecycle === 'cleared' && e.code === 'OUT_OF_SERVICE')!;
  const c = applyEvent(undefined, cleared).case;
  t.equal(c.status, 'closed');
  const raise = day.find((e) => e.alarmId === cleared.alarmId && e.lifecycle === 'raised')!;
  const later = applyEvent(c, raise).case;
  t.equal(later.status, 'closed', 'the late raise does not reopen it');
  t.same(later.steps.map((s) => s.lifecycle), ['raised', 'acknowledged', 'cleared'].filter((l) => later.steps.some((s) => s.lifecycle === l)), 'steps in seq order');
  t.equal(later.acknowledged, false, 'no acknowledgement seen yet');
});

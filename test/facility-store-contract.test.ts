// The facility store's contract, run against both stores (SQLite, and a real PostgreSQL started by
// the test): a redelivered step changes nothing, an action key is committed once, a closed case
// stays closed; and, for PostgreSQL, what several instances need: two stores on one database
// handling one chaotic burst end in the in-order cases, and a claim is held by one instance until
// its lease ends.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionIntent } from '../src/facility/actions.js';
import type { Case } from '../src/facility/cases.js';
import type { FacilityStore, Planner } from '../src/facility/ports.js';
import { PostgresFacilityStore } from '../src/facility/postgres-store.js';
import { SqliteFacilityStore } from '../src/facility/sqlite-store.js';
import { chaoticDelivery, districtDay } from './helpers/facility-day.js';
import { startPostgres, type Postgres } from './helpers/postgres.js';

const day = districtDay({ gateways: 3, liftsPerGateway: 2, incidentsPerLift: 6, seed: 17 });
const noActions: Planner = () => [];
/** One action per step, keyed by the case: committed once however often the case moves. */
const onePerCase: Planner = (c) => [intent(`crm/${c.alarmId}`, c.alarmId)];

function intent(key: string, alarmId: string, group: string | null = null): ActionIntent {
  return { key, group, kind: 'crm', alarmId, siteId: 's', liftId: 'l', liftLabel: 'L', delayMs: 0, to: { id: 'crm', name: 'CRM', channel: 'crm', address: 'crm', language: 'en' } };
}

function byAlarm(cases: Case[]): Record<string, Case> {
  return Object.fromEntries(cases.map((c) => [c.alarmId, c]));
}

const root = t;
let pgServer: Postgres | null | undefined;
let dbs = 0;

type Opener = (t: Test) => Promise<FacilityStore | null>;
const stores: Array<[string, Opener]> = [
  ['SQLite', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lw-contract-'));
    const s = new SqliteFacilityStore(path.join(dir, 'cases.db'), 0);
    t.teardown(async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); });
    return Promise.resolve(s);
  }],
  ['PostgreSQL', async (t) => {
    const url = await pgDatabase();
    if (url === null) return null;
    const s = new PostgresFacilityStore(url);
    await s.open(0);
    t.teardown(() => s.close());
    return s;
  }],
];

/** A fresh database on the file's one PostgreSQL (started on first use, stopped at the end). */
async function pgDatabase(): Promise<string | null> {
  if (pgServer === undefined) pgServer = await startPostgres(root);
  if (pgServer === null) return null; // the skip (or, in CI, the failure) is recorded
  return pgServer.database(`contract_${++dbs}`);
}

for (const [name, open] of stores) {
  void t.test(`${name}: a redelivered or reordered step changes nothing (idempotent by eventId)`, async (t) => {
    const inOrder = await open(t);
    const chaos = await open(t);
    if (inOrder === null || chaos === null) return;
    for (const e of day) await inOrder.handleEvent(e, noActions, 0);
    const delivered = chaoticDelivery(day, 5);
    let duplicates = 0;
    for (const e of delivered) if ((await chaos.handleEvent(e, noActions, 0)).outcome === 'duplicate') duplicates++;
    t.equal(duplicates, delivered.length - day.length, 'every redelivery, and only those, is a duplicate');
    t.same(byAlarm(await chaos.listCases()), byAlarm(await inOrder.listCases()), 'the in-order cases, step by step');
    t.equal((await chaos.listCases()).length, new Set(day.map((e) => e.alarmId)).size, 'one case per alarmId');
  });

  void t.test(`${name}: an action key is committed once, by a step or by a hand-over`, async (t) => {
    const s = await open(t);
    if (s === null) return;
    const first = day[0]!;
    const steps = day.filter((e) => e.alarmId === first.alarmId);
    let committed = 0;
    for (const e of steps) committed += (await s.handleEvent(e, onePerCase, 0)).actions.length;
    t.equal(committed, 1, 'the first step commits it, the later ones find it');
    t.same(await s.commitActions([intent(`crm/${first.alarmId}`, first.alarmId), intent('other', first.alarmId)], 0).then((a) => a.map((x) => x.key)), ['other'], 'a hand-over with a known key commits nothing');
    t.equal((await s.actionsOf(first.alarmId)).length, 2);
  });

  void t.test(`${name}: a case a person closed stays closed; open and closed are listed apart`, async (t) => {
    const s = await open(t);
    if (s === null) return;
    const raise = day.find((e) => e.lifecycle === 'raised')!;
    await s.handleEvent(raise, noActions, 0);
    t.equal((await s.getCase(raise.alarmId))?.status, 'open');
    t.equal((await s.closeCase(raise.alarmId, 'console', 5))?.closedBy, 'console');
    t.equal(await s.closeCase('no-such-case', 'console', 5), undefined, 'an unknown case is not made up');
    const later = day.find((e) => e.alarmId === raise.alarmId && e.eventId !== raise.eventId);
    if (later) await s.handleEvent(later, noActions, 0);
    t.equal((await s.getCase(raise.alarmId))?.status, 'closed', 'later steps do not reopen it');
    t.same((await s.listCases({ status: 'closed' })).map((c) => c.alarmId), [raise.alarmId]);
    t.same(await s.listCases({ status: 'open' }), []);
  });

  void t.test(`${name}: a claimed action is not claimed again until settled or retried`, async (t) => {
    const s = await open(t);
    if (s === null) return;
    await s.commitActions([intent('a1', 'x'), intent('a2', 'x')], 0);
    const claimed = await s.claimDue(10, 10, 60_000);
    t.same(claimed.map((a) => a.key), ['a1', 'a2']);
    await s.markSent([claimed[0]!.id], 11);
    await s.markRetry([claimed[1]!.id], 'HTTP 503', 20);
    t.same((await s.claimDue(15, 10, 60_000)).map((a) => a.key), [], 'sent is never due; a retry waits for its time');
    t.same((await s.claimDue(20, 10, 60_000)).map((a) => a.key), ['a2'], 'a retry is claimed again at its time');
  });
}

/** Two instances' stores (owners a and b) on one fresh database, closed at teardown; null without PostgreSQL. */
async function twoStores(t: Test): Promise<{ a: PostgresFacilityStore; b: PostgresFacilityStore } | null> {
  const url = await pgDatabase();
  if (url === null) return null;
  const a = new PostgresFacilityStore(url, { owner: 'a' });
  const b = new PostgresFacilityStore(url, { owner: 'b' });
  await Promise.all([a.open(0), b.open(0)]);
  t.teardown(async () => { await a.close(); await b.close(); });
  return { a, b };
}

void t.test('PostgreSQL: two stores on one database handle every step of a burst concurrently and end in the in-order cases', async (t) => {
  const two = await twoStores(t);
  if (two === null) return;
  const { a, b } = two;
  const reference = new SqliteFacilityStore(':memory:', 0);
  for (const e of day) await reference.handleEvent(e, onePerCase, 0);
  // Both instances get every step (the worst case: each redelivery lands on the other one), case
  // by case at the same pace, one taking a case's steps forwards and the other backwards: two
  // steps of one case are handled at the same moment, again and again.
  const perCase = [...new Set(day.map((e) => e.alarmId))].map((id) => day.filter((e) => e.alarmId === id));
  const run = async (s: FacilityStore, list: typeof day) => { let n = 0; for (const e of list) n += (await s.handleEvent(e, onePerCase, 0)).outcome === 'duplicate' ? 0 : 1; return n; };
  const [na, nb] = await Promise.all([run(a, perCase.flat()), run(b, perCase.flatMap((steps) => [...steps].reverse()))]);
  t.equal(na + nb, day.length, 'each step applied once between the two');
  t.same(byAlarm(await a.listCases()), byAlarm(await reference.listCases()), 'the in-order cases');
  // The cases table (what lists read by status) is written by each step: without the lift's lock
  // a step committed beside another of its case writes a status that misses the other.
  const ids = (cs: Case[]) => cs.map((c) => c.alarmId).sort();
  t.same(ids(await b.listCases({ status: 'open' })), ids(await reference.listCases({ status: 'open' })), 'the open list is the in-order one');
  t.same(ids(await b.listCases({ status: 'closed' })), ids(await reference.listCases({ status: 'closed' })), 'the closed list is the in-order one');
  const actions = await a.recentActions(10_000);
  t.equal(actions.length, new Set(day.map((e) => e.alarmId)).size, 'one action per case, none doubled');
  await reference.close();
});

void t.test('PostgreSQL: a claim is held by one instance; a dead instance\'s claim is taken after its lease', async (t) => {
  const two = await twoStores(t);
  if (two === null) return;
  const { a, b } = two;
  const intents = Array.from({ length: 60 }, (_, i) => intent(`k${i}`, `x${i}`, i % 3 === 0 ? `g${i % 9}` : null));
  await a.commitActions(intents, 0);
  const [ca, cb] = await Promise.all([a.claimDue(100, 25, 1_000), b.claimDue(100, 25, 1_000)]);
  const keysA = ca.map((x) => x.key);
  const keysB = cb.map((x) => x.key);
  t.same(keysA.filter((k) => keysB.includes(k)), [], 'no action claimed by both');
  const groupsSplit = [...new Set([...ca, ...cb].map((x) => x.group).filter((g) => g !== null))].filter((g) => ca.some((x) => x.group === g) && cb.some((x) => x.group === g));
  t.same(groupsSplit, [], 'no group split between the two (a group is one message)');
  const rest = await b.claimDue(500, 100, 1_000);
  t.equal(ca.length + cb.length + rest.length, 60, 'the rest is claimed; claims held are not');
  // a dies holding its claims: b takes them once the lease (1 s) has passed.
  t.same(await b.claimDue(1_099, 100, 1_000).then((r) => r.filter((x) => keysA.includes(x.key))), [], 'not before the lease ends');
  const retaken = await b.claimDue(1_100, 100, 1_000);
  t.same(retaken.filter((x) => keysA.includes(x.key)).map((x) => x.key).sort(), [...keysA].sort(), 'every claim of the dead instance retaken after the lease');
});

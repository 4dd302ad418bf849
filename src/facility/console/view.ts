/** What the console shows, as JSON: gateways, lifts, cases with timelines, actions. */
import type { Case } from '../cases.js';
import type { Directory } from '../directory-types.js';
import type { ActionRecord, FacilityStore } from '../ports.js';

function mask(address: string): string {
  return address.length <= 4 ? '••••' : `${'•'.repeat(Math.max(0, address.length - 3))}${address.slice(-3)}`;
}

function action(a: ActionRecord, contacts: boolean) {
  return {
    id: a.id, kind: a.kind, alarmId: a.alarmId, siteId: a.siteId, liftId: a.liftId, state: a.state, attempts: a.attempts,
    createdAt: new Date(a.createdAt).toISOString(), sentAt: a.sentAt === null ? null : new Date(a.sentAt).toISOString(),
    lastError: a.lastError, reason: a.reason,
    to: { id: a.to.id, name: a.to.name, channel: a.to.channel, address: contacts || a.kind === 'crm' ? a.to.address : mask(a.to.address) },
  };
}

async function caseView(c: Case, store: FacilityStore, contacts: boolean) {
  return { ...c, actions: (await store.actionsOf(c.alarmId)).map((a) => action(a, contacts)) };
}

export async function overview(store: FacilityStore, dir: Directory, now: number, contacts: boolean) {
  const open = await store.listCases({ status: 'open' });
  const closed = (await store.listCases({ status: 'closed' })).slice(0, 50);
  const gateways = (await store.gateways()).map((g) => ({ ...g, statusAt: new Date(g.statusAt).toISOString(), healthAt: g.healthAt === null ? null : new Date(g.healthAt).toISOString() }));
  const lifts = dir.sites.flatMap((s) =>
    s.lifts.map((l) => {
      const active = open.filter((c) => c.siteId === s.id && c.liftId === l.id);
      return { siteId: s.id, siteName: s.name, liftId: l.id, label: l.label ?? l.id, gateway: l.gateway, landings: l.landings, activeAlarms: active.map((c) => ({ alarmId: c.alarmId, code: c.code, severity: c.severity })) };
    }),
  );
  const actions = (await store.recentActions(100)).map((a) => action(a, contacts));
  return {
    at: new Date(now).toISOString(),
    contactsShown: contacts,
    gateways,
    lifts,
    openCases: await Promise.all(open.map((c) => caseView(c, store, contacts))),
    closedCases: await Promise.all(closed.map((c) => caseView(c, store, contacts))),
    actions,
    escalations: actions.filter((a) => a.kind === 'operator'),
  };
}

/**
 * The Outbox conformance suite (aedes-persistence style): every implementation must pass it.
 * Not a test file by itself; test/store-outbox.test.ts runs it against each implementation.
 */
import type { Test } from 'tap';
import type { Outbox } from '../src/ports/outbox.js';
import { PRIORITY } from '../src/ports/outbox.js';
import type { AlarmEvent } from '../src/core/types.js';
import { alarmEvent } from './uplink-helpers.js';

/** A fresh storage; `open()` may be called again on it to reopen (possibly without close). */
export interface OutboxStorage {
  open(): Outbox;
  cleanup(): void;
}

const item = (event: AlarmEvent) => ({
  event,
  topic: `liftwatch/s/g/lift/${event.liftId}/event`,
  payload: { schema: 'liftwatch.event/1', alarmId: event.alarmId, lifecycle: event.lifecycle },
});

export function outboxConformance(t: Test, makeStorage: () => OutboxStorage): void {
  const withStore = (name: string, fn: (t: Test, storage: OutboxStorage) => void | Promise<void>) =>
    void t.test(name, async (t) => {
      const storage = makeStorage();
      t.teardown(() => storage.cleanup());
      await fn(t, storage);
    });

  withStore('append assigns seq and eventId and writes them into the payload', (t, storage) => {
    const ob = storage.open();
    const [a, b] = ob.append([item(alarmEvent()), item(alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }))]);
    t.ok(a && b);
    if (!a || !b) return;
    t.ok(b.seq > a.seq, 'seq increases within a batch');
    t.match(a.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'eventId is a UUIDv7');
    // Time-ordered (the scale benchmark): the event_id UNIQUE index grows at its right edge.
    t.ok(b.eventId > a.eventId, 'eventIds sort like seqs');
    t.not(a.eventId, b.eventId);
    t.equal(a.payload['eventId'], a.eventId);
    t.equal(a.payload['seq'], a.seq);
    t.equal(a.payload['schema'], 'liftwatch.event/1', 'caller payload kept');
    t.equal(a.priority, PRIORITY.critical);
    t.equal(b.priority, PRIORITY.info);
    const [p] = ob.pending(1);
    t.equal(p?.eventId, a.eventId, 'eventId stable in the store');
    t.same(p?.payload, a.payload);
    ob.close();
  });

  withStore('seq strictly increasing and eventId stable across reopen', (t, storage) => {
    let ob = storage.open();
    const first = ob.append([item(alarmEvent()), item(alarmEvent())]);
    ob.markDelivered(first.map((e) => e.seq), 1);
    ob.close();
    ob = storage.open();
    const [next] = ob.append([item(alarmEvent())]);
    t.ok(next && next.seq > Math.max(...first.map((e) => e.seq)), 'no seq reuse after reopen');
    ob.close();
    ob = storage.open();
    t.equal(ob.pending(10)[0]?.eventId, next?.eventId, 'eventId unchanged after reopen');
    ob.close();
  });

  withStore('pending orders by priority then seq, honours limit', (t, storage) => {
    const ob = storage.open();
    const stored = ob.append([
      item(alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' })),
      item(alarmEvent({ severity: 'major', code: 'SAFETY_CHAIN_OPEN' })),
      item(alarmEvent({ severity: 'critical' })),
      item(alarmEvent({ severity: 'major', code: 'OUT_OF_SERVICE' })),
      item(alarmEvent({ severity: 'minor', code: 'OVERLOAD' })),
    ]);
    const seqs = stored.map((e) => e.seq);
    t.same(
      ob.pending(10).map((e) => e.seq),
      [seqs[2], seqs[1], seqs[3], seqs[4], seqs[0]],
    );
    t.same(ob.pending(2).map((e) => e.seq), [seqs[2], seqs[1]]);
    t.same(ob.pending(0), []);
    ob.close();
  });

  withStore('pending within a seq range; lastSeq never decreases', (t, storage) => {
    let ob = storage.open();
    t.equal(ob.lastSeq(), 0, 'empty store');
    const s = ob.append([
      item(alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' })),
      item(alarmEvent({ severity: 'critical' })),
      item(alarmEvent({ severity: 'minor', code: 'OVERLOAD' })),
      item(alarmEvent({ severity: 'critical' })),
    ]);
    const [a, b, c, d] = s.map((e) => e.seq) as [number, number, number, number];
    t.equal(ob.lastSeq(), d);
    t.same(ob.pending(10, { upToSeq: b }).map((e) => e.seq), [b, a], 'backlog: up to and including');
    t.same(ob.pending(10, { afterSeq: b }).map((e) => e.seq), [d, c], 'live: strictly after');
    t.same(ob.pending(10, { afterSeq: a, upToSeq: c }).map((e) => e.seq), [b, c]);
    t.same(ob.pending(1, { afterSeq: b }).map((e) => e.seq), [d]);
    // Per-priority cursors (the dispatcher's): a bound for one priority leaves the others alone.
    const crit = PRIORITY.critical;
    t.same(ob.pending(10, { afterSeqOf: { [crit]: b } }).map((e) => e.seq), [d, c, a], 'critical after b only');
    t.same(ob.pending(10, { afterSeqOf: { [crit]: d } }).map((e) => e.seq), [c, a], 'every critical passed');
    t.same(ob.pending(10, { afterSeq: c, afterSeqOf: { [crit]: 0 } }).map((e) => e.seq), [d], 'the higher bound wins');
    t.same(ob.pending(10, { upToSeq: c, afterSeqOf: { [crit]: b, [PRIORITY.info]: a } }).map((e) => e.seq), [c]);
    ob.markDelivered([a, b, c, d], 5);
    t.equal(ob.lastSeq(), d, 'delivered rows do not lower it');
    ob.close();
    ob = storage.open();
    t.equal(ob.lastSeq(), d, 'persisted');
    t.same(ob.maintain().gap, null, 'nothing to evict within the limits');
    ob.close();
  });

  withStore('pendingByPriority counts undelivered alarm events by severity', (t, storage) => {
    const ob = storage.open();
    const s = ob.append([
      item(alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' })),
      item(alarmEvent({ severity: 'major', code: 'SAFETY_CHAIN_OPEN' })),
      item(alarmEvent({ severity: 'minor', code: 'OVERLOAD' })),
      item(alarmEvent({ severity: 'minor', code: 'OVERLOAD' })),
    ]);
    ob.markDelivered([s[2]!.seq], 1);
    t.same(ob.stats().pendingByPriority, { critical: 0, major: 1, minor: 1, info: 1 });
    ob.close();
  });

  withStore('markDelivered removes from pending; stats count', (t, storage) => {
    const ob = storage.open();
    const s = ob.append([item(alarmEvent()), item(alarmEvent()), item(alarmEvent())]);
    t.match(ob.stats(), {
      pending: 3,
      oldestPendingAt: s[0]?.createdAt,
      delivered: 0,
      pendingByPriority: { critical: 3, major: 0, minor: 0, info: 0 },
      evictions: 0,
      dataGaps: 0,
      lastEvictionAt: null,
    });
    t.type(ob.stats().fileBytes, 'number');
    ob.markDelivered([s[1]!.seq], 1000);
    ob.markDelivered([s[1]!.seq], 2000); // idempotent
    t.same(ob.pending(10).map((e) => e.seq), [s[0]!.seq, s[2]!.seq]);
    ob.markDelivered([s[0]!.seq, s[2]!.seq, 999_999], 1000);
    t.match(ob.stats(), { pending: 0, oldestPendingAt: null, delivered: 3, pendingByPriority: { critical: 0 } });
    ob.markDelivered([], 1);
    ob.close();
  });

  withStore('activeAlarms follows raise/ack/clear/end_of_alarm, exact after reopen', (t, storage) => {
    let ob = storage.open();
    const trapped = alarmEvent({ code: 'PASSENGER_TRAPPED', alarmId: 'trap' });
    const chain = alarmEvent({ code: 'SAFETY_CHAIN_OPEN', severity: 'major', alarmId: 'chain' });
    const door = alarmEvent({ code: 'DOOR_OPEN_FAULT', severity: 'major', alarmId: 'door', liftId: 'L2' });
    ob.append([item(trapped), item(chain), item(door)]);
    t.same(ob.activeAlarms().map((a) => a.alarmId), ['trap', 'chain', 'door']);
    ob.append([item({ ...trapped, lifecycle: 'acknowledged', at: trapped.at + 1 })]);
    ob.append([item({ ...chain, lifecycle: 'cleared', clearedAt: chain.at + 5, at: chain.at + 5 })]);
    const active = ob.activeAlarms();
    t.same(active.map((a) => a.alarmId), ['trap', 'door']);
    t.equal(active[0]?.lifecycle, 'acknowledged', 'newest event of the alarm');
    t.same(active[0], { ...trapped, lifecycle: 'acknowledged', at: trapped.at + 1 }, 'round-trips the AlarmEvent');
    ob.append([item({ ...trapped, lifecycle: 'end_of_alarm', endOfAlarmSource: 'input', at: trapped.at + 9 })]);
    ob.append([item({ ...chain, lifecycle: 'acknowledged', at: chain.at + 9 })]);
    t.same(ob.activeAlarms().map((a) => a.alarmId), ['door'], 'ended is sticky; late ack does not revive');
    ob.close();
    ob = storage.open();
    t.same(ob.activeAlarms().map((a) => a.alarmId), ['door'], 'same after reopen');
    ob.close();
  });

  withStore('session counter increments and persists', (t, storage) => {
    let ob = storage.open();
    const a = ob.nextSession();
    const b = ob.nextSession();
    t.equal(b, a + 1);
    ob.close();
    ob = storage.open();
    t.equal(ob.nextSession(), b + 1, 'persisted across reopen');
    ob.close();
  });

  withStore('crash: committed events survive a reopen without close', (t, storage) => {
    const crashed = storage.open();
    const s = crashed.append([item(alarmEvent({ alarmId: 'x' })), item(alarmEvent({ alarmId: 'y' }))]);
    crashed.markDelivered([s[0]!.seq], 5);
    const session = crashed.nextSession();
    // no close(): the process "died" here
    const ob = storage.open();
    t.same(ob.pending(10).map((e) => e.eventId), [s[1]!.eventId]);
    t.same(ob.activeAlarms().map((a) => a.alarmId), ['x', 'y']);
    t.equal(ob.nextSession(), session + 1);
    const [n] = ob.append([item(alarmEvent())]);
    t.ok(n && n.seq > s[1]!.seq);
    ob.close();
    crashed.close();
  });

  withStore('closed outbox throws STORE_CLOSED', (t, storage) => {
    const ob = storage.open();
    ob.close();
    t.throws(() => ob.pending(1), { code: 'STORE_CLOSED' });
  });

  // The drain benchmark: the dispatcher passes each seq's priority so a store may record an
  // in-order batch as a watermark (SqliteOutbox). Whatever a store does with it, exactly the
  // seqs given are delivered: never a row in between, never one marked before, after reopen too.
  withStore('markDelivered with priorities: exactly the seqs given are delivered, in any batch shape', (t, storage) => {
    let ob = storage.open();
    const major = (): AlarmEvent => alarmEvent({ severity: 'major', code: 'DOOR_CLOSE_FAULT' });
    const minor = (): AlarmEvent => alarmEvent({ severity: 'minor', code: 'OVERLOAD' });
    const rows = ob.append([major(), minor(), major(), major(), minor(), major(), major(), major()].map(item));
    const seq = (i: number): number => (rows[i] as { seq: number }).seq;
    const priority = new Map(rows.map((e) => [e.seq, e.priority]));
    const by = (s: number): number | undefined => priority.get(s);
    const pendingSeqs = (): number[] => ob.pending(100).map((e) => e.seq).sort((a, b) => a - b);
    // An in-order batch over two priorities: the first two majors and the first minor.
    ob.markDelivered([seq(0), seq(1), seq(2)], 10, by);
    t.same(pendingSeqs(), [3, 4, 5, 6, 7].map(seq), 'the in-order batch is delivered');
    // A gap: major 5 acknowledged while major 3 is not.
    ob.markDelivered([seq(5)], 11, by);
    t.same(pendingSeqs(), [3, 4, 6, 7].map(seq), 'a batch with a row missing before it: that row stays pending');
    // Major 6 marked alone without priorities, then a batch of (6 again, 7): same size as the
    // pending majors in its range (3 and 7) but not the same rows. Major 3 must stay pending.
    ob.markDelivered([seq(6)], 12);
    ob.markDelivered([seq(6), seq(7)], 13, by);
    t.same(pendingSeqs(), [3, 4].map(seq), 'an already delivered row in a batch never carries a pending one');
    // A seq the store never had, with a priority: changes nothing else.
    ob.markDelivered([seq(7) + 1000], 14, () => 1);
    t.same(pendingSeqs(), [3, 4].map(seq), 'an unknown seq changes nothing');
    const st = ob.stats();
    t.equal(st.pending, 2, 'stats: pending');
    t.equal(st.delivered, 6, 'stats: delivered');
    t.equal(st.pendingByPriority.major, 1);
    t.equal(st.pendingByPriority.minor, 1);
    ob.close();
    ob = storage.open();
    t.same(pendingSeqs(), [3, 4].map(seq), 'the same after reopen');
    ob.maintain();
    t.same(pendingSeqs(), [3, 4].map(seq), 'and after maintenance');
    ob.markDelivered([seq(3), seq(4)], 15, by);
    t.same(pendingSeqs(), [], 'the rest in order: nothing pending');
    t.equal(ob.stats().delivered, 8);
    ob.close();
  });

}

/**
 * The dispatcher's read cursors (found by the drain benchmark): a drain reads each pending row about
 * once, not once per PUBACK flush, and no row is ever left behind a cursor (at-least-once).
 * Counts rows, never time.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { MemoryOutbox } from './helpers/memory-outbox.js';
import { Dispatcher } from '../src/uplink/dispatcher.js';
import type { UplinkPort } from '../src/ports/uplink.js';
import type { SeqRange, StoredEvent } from '../src/ports/outbox.js';
import type { Severity } from '../src/core/types.js';
import { alarmEvent, captureLogger } from './uplink-helpers.js';
import { SYSTEM_PORTS, realTimersAt } from './helpers/ports.js';

class ScriptedUplink implements UplinkPort {
  connected = false;
  readonly sent: Array<{ seq: number; historical: unknown; ack: () => void; fail: (e: Error) => void }> = [];
  private readonly ee = new EventEmitter();
  on(e: 'connect' | 'disconnect', l: () => void): void {
    this.ee.on(e, l);
  }
  off(e: 'connect' | 'disconnect', l: () => void): void {
    this.ee.off(e, l);
  }
  publish(_topic: string, payload: Record<string, unknown> | string): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    const p = (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown>;
    return new Promise((ack, fail) => this.sent.push({ seq: p['seq'] as number, historical: p['historical'], ack: () => ack(), fail }));
  }
  up(): void {
    this.connected = true;
    this.ee.emit('connect');
  }
}

/** A MemoryOutbox that counts the rows pending() hands out and can fail markDelivered once. */
class CountingOutbox extends MemoryOutbox {
  rowsRead = 0;
  failNextMark = false;
  override pending(limit: number, range?: SeqRange): StoredEvent[] {
    const rows = super.pending(limit, range);
    this.rowsRead += rows.length;
    return rows;
  }
  override markDelivered(seqs: number[], at: number): void {
    if (this.failNextMark) {
      this.failNextMark = false;
      throw new Error('disk I/O error');
    }
    super.markDelivered(seqs, at);
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const SEVERITIES: Severity[] = ['major', 'minor', 'info', 'critical'];

function setup(inflight: number) {
  const outbox = new CountingOutbox();
  const uplink = new ScriptedUplink();
  const logger = captureLogger();
  const dispatcher = new Dispatcher({ outbox, uplink, logger, inflight, clock: realTimersAt(() => 1000), retryMs: 1 });
  const appendMixed = (n: number) =>
    outbox.append(Array.from({ length: n }, (_, i) => ({ event: alarmEvent({ severity: SEVERITIES[i % SEVERITIES.length] }), topic: 't', payload: {} })));
  /** Acks the oldest unacknowledged publish, one per turn, until the store is empty. */
  const drain = async (maxTurns = 10_000): Promise<void> => {
    let next = 0;
    for (let i = 0; i < maxTurns && outbox.stats().pending > 0; i++) {
      uplink.sent[next++]?.ack();
      await turn();
      await turn();
    }
  };
  return { outbox, uplink, dispatcher, logger, appendMixed, drain };
}

void t.test('a drain reads each row about once, not the whole window again per PUBACK', async (t) => {
  const { outbox, uplink, dispatcher, appendMixed, drain } = setup(20);
  const backlog = appendMixed(300);
  dispatcher.start();
  uplink.up(); // all 300 are backlog
  const live = appendMixed(50);
  dispatcher.kick();
  await drain();
  t.equal(outbox.stats().pending, 0, 'all delivered');
  t.equal(uplink.sent.length, 350, 'each sent once');
  // Before the cursors every pump re-read the in-flight window (20 rows) from both ranges per
  // PUBACK: ~40 rows per event. Now at most the next row of each range (live and backlog are
  // read side by side, one of them goes) per event, plus a rescan of the window after the connect.
  t.ok(outbox.rowsRead <= 2 * 350 + 2 * 20, `rows read ${outbox.rowsRead} for 350 events`);
  const order = uplink.sent.map((s) => s.seq);
  t.same(order.slice(0, 20), [...backlog, ...live].filter((e) => e.priority === 0).map((e) => e.seq).slice(0, 20), 'critical first');
  t.equal(new Set(order).size, 350);
  dispatcher.stop();
});

void t.test('a higher priority row with a lower seq is never left behind a cursor', async (t) => {
  const { outbox, uplink, dispatcher, drain } = setup(1);
  uplink.up();
  dispatcher.start();
  // Window of 1: the info row goes first (alone), then a critical and a later info arrive.
  const [info1] = outbox.append([{ event: alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }), topic: 't', payload: {} }]);
  dispatcher.kick();
  const [info2, crit] = outbox.append([
    { event: alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }), topic: 't', payload: {} },
    { event: alarmEvent({ severity: 'critical' }), topic: 't', payload: {} },
  ]);
  const [major] = outbox.append([{ event: alarmEvent({ severity: 'major', code: 'DOOR_CLOSE_FAULT' }), topic: 't', payload: {} }]);
  dispatcher.kick();
  await drain();
  t.same(uplink.sent.map((s) => s.seq), [info1?.seq, crit?.seq, major?.seq, info2?.seq]);
  t.equal(outbox.stats().pending, 0);
  dispatcher.stop();
});

void t.test('a publish rejected while connected is resent without a reconnect, past the cursors', async (t) => {
  const { outbox, uplink, dispatcher, appendMixed } = setup(10);
  const stored = appendMixed(40);
  uplink.up();
  dispatcher.start();
  t.equal(uplink.sent.length, 10);
  const failed = uplink.sent[4];
  failed?.fail(new Error('client error'));
  for (let i = 0; i < 200 && outbox.stats().pending > 0; i++) {
    for (const s of uplink.sent) if (s !== failed) s.ack();
    await new Promise((r) => setTimeout(r, 2));
  }
  t.equal(outbox.stats().pending, 0, 'everything delivered');
  const seqs = uplink.sent.map((s) => s.seq);
  t.equal(seqs.filter((s) => s === failed?.seq).length, 2, 'the rejected one went twice');
  t.same([...new Set(seqs)].sort((a, b) => a - b), stored.map((e) => e.seq), 'nothing skipped');
  t.equal(seqs.length, 41, 'no other duplicate');
  dispatcher.stop();
});

void t.test('acknowledged rows whose recording failed are resent without a reconnect', async (t) => {
  const { outbox, uplink, dispatcher, logger, appendMixed, drain } = setup(5);
  appendMixed(20);
  uplink.up();
  dispatcher.start();
  outbox.failNextMark = true;
  await drain();
  t.equal(outbox.stats().pending, 0, 'delivered in the end, same connection');
  t.ok(logger.lines.some((l) => l.includes('cannot record deliveries')));
  t.ok(uplink.sent.length > 20, `resent as duplicates (${uplink.sent.length} publishes)`);
  dispatcher.stop();
});

void t.test('the window is refilled before the PUBACKs that freed it are committed; small batches still get recorded', async (t) => {
  const { outbox, uplink, dispatcher, appendMixed } = setup(20);
  const log: string[] = [];
  const mark = outbox.markDelivered.bind(outbox);
  outbox.markDelivered = (seqs, at) => {
    log.push(`mark ${seqs.length}`);
    mark(seqs, at);
  };
  appendMixed(100);
  uplink.up();
  dispatcher.start();
  const publish = uplink.publish.bind(uplink);
  uplink.publish = (topic, payload) => {
    log.push('publish');
    return publish(topic, payload);
  };
  for (const s of uplink.sent.slice(0, 12)) s.ack(); // more than half the window: recorded at once
  await turn();
  await turn();
  t.same(log, [...Array.from({ length: 12 }, () => 'publish'), 'mark 12'], 'refill first, then one commit');
  log.length = 0;
  uplink.sent[12]?.ack(); // one PUBACK, 19 still in flight: recorded after a short delay, not never
  await turn();
  await turn();
  t.same(log, ['publish']);
  await new Promise((r) => setTimeout(r, 30));
  t.same(log, ['publish', 'mark 1']);
  t.equal(outbox.stats().pending, 100 - 13);
  dispatcher.stop();
});

void t.test('over the SQLite store, an in-order drain is recorded by watermarks; acks out of order are still all recorded', async (t) => {
  const { SqliteOutbox } = await import('../src/store/sqlite-outbox.js');
  const { default: Database } = await import('better-sqlite3');
  const { tempDir } = await import('./uplink-helpers.js');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = `${dir}/o.db`;
  const outbox = SqliteOutbox.open(file, SYSTEM_PORTS);
  t.teardown(() => outbox.close());
  const uplink = new ScriptedUplink();
  const dispatcher = new Dispatcher({ outbox, uplink, logger: captureLogger(), inflight: 10, clock: realTimersAt(() => 1000), retryMs: 1 });
  outbox.append(Array.from({ length: 60 }, (_, i) => ({ event: alarmEvent({ severity: SEVERITIES[i % 3] }), topic: 't', payload: {} })));
  dispatcher.start();
  uplink.up();
  for (let i = 0; i < 10_000 && outbox.stats().pending > 0; i++) {
    uplink.sent[i]?.ack();
    await turn();
    await turn();
  }
  t.equal(outbox.stats().pending, 0, 'all 60 delivered in order');
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.ok((raw.prepare('SELECT COUNT(*) FROM delivered_upto').pluck().get() as number) >= 1, 'recorded by watermark');
  t.ok((raw.prepare('SELECT COUNT(*) FROM events WHERE delivered_at IS NOT NULL').pluck().get() as number) < 60, 'not by an UPDATE per row');

  // Now acknowledged in reverse within each window: every row still ends delivered, none twice.
  const more = outbox.append(Array.from({ length: 30 }, (_, i) => ({ event: alarmEvent({ severity: SEVERITIES[i % 3] }), topic: 't', payload: {} })));
  const sentBefore = uplink.sent.length;
  dispatcher.kick();
  for (let i = 0; i < 1000 && outbox.stats().pending > 0; i++) {
    const open = uplink.sent.slice(sentBefore).filter((s) => !(s as { done?: boolean }).done);
    const last = open[open.length - 1] as (typeof open)[number] & { done?: boolean };
    if (last) {
      last.done = true;
      last.ack();
    }
    await turn();
    await turn();
  }
  t.equal(outbox.stats().pending, 0, 'all 30 delivered, acknowledged newest first');
  t.same(uplink.sent.slice(sentBefore).map((s) => s.seq).sort((a, b) => a - b), more.map((e) => e.seq), 'each sent once');
  dispatcher.stop();
});

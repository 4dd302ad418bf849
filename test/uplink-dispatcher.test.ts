/** Dispatcher rules against the in-memory outbox and a scripted uplink (no sockets). */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { MemoryOutbox } from './helpers/memory-outbox.js';
import { Dispatcher } from '../src/uplink/dispatcher.js';
import type { UplinkPort } from '../src/ports/uplink.js';
import { alarmEvent, captureLogger, sleep } from './uplink-helpers.js';
import type { AlarmEvent } from '../src/core/types.js';
import { realTimersAt } from './helpers/ports.js';

class ScriptedUplink implements UplinkPort {
  connected = false;
  readonly sent: Array<{ topic: string; payload: Record<string, unknown>; ack: () => void; fail: (e: Error) => void }> = [];
  private readonly ee = new EventEmitter();
  on(e: 'connect' | 'disconnect', l: () => void): void {
    this.ee.on(e, l);
  }
  off(e: 'connect' | 'disconnect', l: () => void): void {
    this.ee.off(e, l);
  }
  publish(topic: string, payload: Record<string, unknown>): Promise<void> {
    if (!this.connected) return Promise.reject(Object.assign(new Error('not connected'), { code: 'UPLINK_NOT_CONNECTED' }));
    return new Promise((ack, fail) => this.sent.push({ topic, payload, ack: () => ack(), fail }));
  }
  up(): void {
    this.connected = true;
    this.ee.emit('connect');
  }
  down(): void {
    this.connected = false;
    for (const s of this.sent.splice(0)) s.fail(new Error('closed'));
    this.ee.emit('disconnect');
  }
}

function setup(inflight: number, backlogRatePerSec = 0) {
  let now = 1000;
  const clock = { now: () => ({ mono: now, wall: now }), setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined };
  const outbox = new MemoryOutbox({ clock });
  const uplink = new ScriptedUplink();
  const dispatcher = new Dispatcher({ outbox, uplink, logger: captureLogger(), inflight, clock: realTimersAt(() => now), retryMs: 10, backlogRatePerSec });
  const append = (events: AlarmEvent[]) => {
    const s = outbox.append(events.map((event) => ({ event, topic: `t/${event.liftId}`, payload: { alarmId: event.alarmId } })));
    dispatcher.kick();
    return s;
  };
  return { outbox, uplink, dispatcher, append, tick: (ms: number) => void (now += ms) };
}

void t.test('priority first, then seq; window bounded; delivered only on ack', async (t) => {
  const { outbox, uplink, dispatcher, append, tick } = setup(2);
  dispatcher.start();
  const [info, major, crit] = append([
    alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }),
    alarmEvent({ severity: 'major', code: 'SAFETY_CHAIN_OPEN' }),
    alarmEvent({ severity: 'critical' }),
  ]);
  t.equal(uplink.sent.length, 0, 'nothing sent while disconnected');
  tick(10);
  uplink.up();
  t.same(uplink.sent.map((s) => s.payload['seq']), [crit?.seq, major?.seq], 'live alarms first, window of 2');
  t.ok(uplink.sent.every((s) => s.payload['historical'] === true));
  t.equal(outbox.stats().pending, 3);
  uplink.sent[0]?.ack();
  await sleep(5);
  t.equal(outbox.stats().pending, 2, 'marked on ack');
  t.same(uplink.sent.map((s) => s.payload['seq']), [crit?.seq, major?.seq, info?.seq], 'window refilled');
  const [live] = append([alarmEvent()]);
  t.equal(uplink.sent.length, 3, 'window full: kick waits');
  uplink.sent[1]?.ack();
  uplink.sent[2]?.ack();
  await sleep(5);
  const last = uplink.sent[3];
  t.equal(last?.payload['seq'], live?.seq);
  t.equal(last?.payload['historical'], false, 'created while connected');
  last?.ack();
  await sleep(5);
  t.match(outbox.stats(), { pending: 0, oldestPendingAt: null, delivered: 4 });
  t.match(dispatcher.stats, { published: 4, acked: 4, failed: 0, inflight: 0, lastPubackAt: 1010 });
  dispatcher.stop();
});

void t.test('disconnect: unacked stay pending and are resent first on the next connect', async (t) => {
  const { outbox, uplink, dispatcher, append } = setup(10);
  uplink.up();
  dispatcher.start();
  const stored = append([alarmEvent({ liftId: 'A' }), alarmEvent({ liftId: 'B' }), alarmEvent({ liftId: 'A' })]);
  uplink.sent[0]?.ack();
  uplink.down();
  await sleep(5);
  t.equal(outbox.stats().pending, 2);
  t.equal(dispatcher.stats.failed, 2);
  uplink.up();
  t.same(uplink.sent.map((s) => s.payload['eventId']), [stored[1]?.eventId, stored[2]?.eventId], 'same eventIds, same order');
  dispatcher.stop();
  uplink.down();
});

void t.test('a publish failing while connected is retried', async (t) => {
  const { outbox, uplink, dispatcher, append } = setup(10);
  uplink.up();
  dispatcher.start();
  append([alarmEvent()]);
  uplink.sent.shift()?.fail(new Error('client error'));
  await sleep(30);
  t.equal(uplink.sent.length, 1, 'resent after retryMs');
  uplink.sent[0]?.ack();
  await sleep(5);
  t.equal(outbox.stats().pending, 0);
  dispatcher.stop();
});

void t.test('order when the window is short: priority, then live before backlog, then seq', async (t) => {
  const { uplink, dispatcher, append } = setup(1);
  dispatcher.start();
  const [majorB, critB, infoB] = append([
    alarmEvent({ severity: 'major', code: 'DOOR_CLOSE_FAULT' }),
    alarmEvent({ severity: 'critical' }),
    alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }),
  ]);
  uplink.up();
  const [infoL, majorL] = append([alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }), alarmEvent({ severity: 'major', code: 'OUT_OF_SERVICE' })]);
  for (let i = 0; i < 5; i++) {
    uplink.sent[i]?.ack();
    await sleep(5);
  }
  t.same(
    uplink.sent.map((s) => s.payload['seq']),
    [critB?.seq, majorL?.seq, majorB?.seq, infoL?.seq, infoB?.seq],
    'backlog critical first; live major overtakes backlog major; backlog critical beats live info',
  );
  t.same(uplink.sent.map((s) => s.payload['historical']), [true, false, true, false, true]);
  t.match(dispatcher.stats, { backlogSent: 3, liveSent: 2 });
  dispatcher.stop();
});

void t.test('pacing: the backlog waits for tokens, live events never do', async (t) => {
  const { uplink, dispatcher, append, tick } = setup(100, 10); // 10/s: a burst of 1, then one per 100 ms
  dispatcher.start();
  const backlog = append(Array.from({ length: 5 }, () => alarmEvent({ severity: 'major', code: 'DOOR_CLOSE_FAULT' })));
  uplink.up();
  t.same(uplink.sent.map((s) => s.payload['seq']), [backlog[0]?.seq], 'one backlog event (the burst)');
  const live = append([alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' }), alarmEvent({ severity: 'critical' })]);
  t.same(uplink.sent.slice(1).map((s) => s.payload['seq']), [live[1]?.seq, live[0]?.seq], 'live events at once, unpaced');
  tick(50);
  dispatcher.kick();
  t.equal(uplink.sent.length, 3, 'no token yet after 50 ms');
  tick(60);
  dispatcher.kick();
  t.same(uplink.sent.slice(3).map((s) => s.payload['seq']), [backlog[1]?.seq], 'one more after 110 ms');
  tick(10_000);
  dispatcher.kick();
  t.equal(uplink.sent.length, 5, 'tokens do not pile up beyond the burst');
  t.ok(uplink.sent.every((s) => (s.payload['historical'] as boolean) === backlog.some((b) => b.seq === s.payload['seq'])));
  t.match(dispatcher.stats, { backlogSent: 3, liveSent: 2 });
  dispatcher.stop();
  uplink.down();
});

void t.test('rows committed without a kick (scheduled maintenance, another process) go out on the idle poll', async (t) => {
  const now = 1000;
  const outbox = new MemoryOutbox({ clock: { now: () => ({ mono: now, wall: now }), setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined } });
  const uplink = new ScriptedUplink();
  const dispatcher = new Dispatcher({ outbox, uplink, logger: captureLogger(), inflight: 10, clock: realTimersAt(() => now), idlePollMs: 20 });
  uplink.up();
  dispatcher.start();
  const [e] = outbox.append([{ event: alarmEvent(), topic: 't', payload: {} }]); // no kick
  t.equal(uplink.sent.length, 0);
  await sleep(80);
  t.equal(uplink.sent[0]?.payload['seq'], e?.seq, 'published by the idle poll');
  dispatcher.stop();
  uplink.down();
});

/**
 * The request server alone, over a fake uplink: routing, validation, transaction echo,
 * MQTT 5 response topic, retained requests ignored, handler failures contained.
 */
import t from 'tap';
import type { InboundMessage, MessageHandler } from '../src/uplink/mqtt-uplink.js';
import type { PublishOptions } from '../src/ports/uplink.js';
import { RequestServer, type RequestHandlers } from '../src/uplink/requests/server.js';
import { RequestError } from '../src/uplink/requests/errors.js';
import { transactionOf } from '../src/uplink/requests/response.js';
import { topicMatches } from '../src/uplink/topics.js';
import { captureLogger } from './uplink-helpers.js';

function fakeUplink(opts: { failPublish?: boolean } = {}) {
  const subs = new Map<string, MessageHandler>();
  const out: Array<{ topic: string; payload: Record<string, unknown>; opts?: PublishOptions }> = [];
  return {
    subs,
    out,
    subscribe: (f: string, h: MessageHandler) => void subs.set(f, h),
    unsubscribe: (f: string) => void subs.delete(f),
    publish: async (topic: string, payload: Record<string, unknown>, o?: PublishOptions) => {
      if (opts.failPublish) throw Object.assign(new Error('not connected'), { code: 'UPLINK_NOT_CONNECTED' });
      out.push({ topic, payload, ...(o ? { opts: o } : {}) });
    },
  };
}

const calls: string[] = [];
const handlers: RequestHandlers = {
  ping: () => ({ pong: true }),
  rebirth: async () => ({ republished: 1 }),
  ack: ({ alarmId }) => {
    if (alarmId === 'boom') throw new Error('bug');
    calls.push(`ack:${alarmId}`);
    return { alarmId };
  },
  reset: ({ liftId }) => {
    throw new RequestError('UNKNOWN_LIFT', `no lift ${liftId}`);
  },
  test: ({ liftId }) => ({ liftId }),
};

const msg = (op: string, body: unknown, over: Partial<InboundMessage> = {}): InboundMessage => ({
  topic: `r/request/${op}`,
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  retain: false,
  ...over,
});

void t.test('topic filter matching and transaction extraction', async (t) => {
  t.ok(topicMatches('a/request/+', 'a/request/ping'));
  t.notOk(topicMatches('a/request/+', 'a/request/ping/x'));
  t.notOk(topicMatches('a/request/+', 'a/request'));
  t.ok(topicMatches('a/#', 'a/b/c'));
  t.notOk(topicMatches('a/b', 'a/c'));
  t.equal(transactionOf({ transaction: 'x' }), 'x');
  t.equal(transactionOf({ transaction: 3 }), 3);
  t.equal(transactionOf({ transaction: { no: 1 } }), null);
  t.equal(transactionOf({ transaction: Number.NaN }), null);
  t.equal(transactionOf('x'), null);
  t.equal(transactionOf([1]), null);
});

void t.test('routing, refusals, response topic, retained, stop', async (t) => {
  const up = fakeUplink();
  const logger = captureLogger();
  const server = new RequestServer({ uplink: up, root: 'r', gatewayId: 'gw', handlers, logger, now: () => Date.UTC(2025, 0, 1) });
  server.start();
  t.ok(up.subs.has('r/request/+'), 'subscribed to <root>/request/+');

  await server.handle(msg('ack', { transaction: 'a', alarmId: 'x1', by: 'me' }));
  t.match(up.out.at(-1), { topic: 'r/response/ack', payload: { schema: 'liftwatch.response/1', ok: true, transaction: 'a', data: { alarmId: 'x1' }, at: '2025-01-01T00:00:00.000Z' } });
  t.same(calls, ['ack:x1']);

  await server.handle(msg('ack', { alarmId: 'boom' }));
  t.match(up.out.at(-1)?.payload, { ok: false, error: { code: 'INTERNAL' } }, 'a throwing handler is contained');
  await server.handle(msg('reset', { transaction: 9, liftId: 'Z' }));
  t.match(up.out.at(-1)?.payload, { ok: false, transaction: 9, error: { code: 'UNKNOWN_LIFT', message: 'no lift Z' } });
  await server.handle(msg('ack', { alarmId: '' }));
  t.match(up.out.at(-1)?.payload, { ok: false, error: { code: 'INVALID', message: /alarmId/ } });
  await server.handle(msg('ack', { alarmId: 'x', transaction: true }));
  t.match(up.out.at(-1)?.payload, { ok: false, transaction: null, error: { code: 'INVALID', message: /transaction/ } });
  t.same(calls, ['ack:x1'], 'refused requests reach no handler');

  // MQTT 5: response topic and correlation data win over <root>/response/<op>.
  const corr = Buffer.from('c0ffee', 'hex');
  await server.handle(msg('ping', {}, { responseTopic: 'me/replies', correlationData: corr }));
  t.match(up.out.at(-1), { topic: 'me/replies', payload: { ok: true, op: 'ping' } });
  t.same(up.out.at(-1)?.opts?.correlationData, corr);

  const before = up.out.length;
  await server.handle(msg('ack', { alarmId: 'x2' }, { retain: true }));
  t.equal(up.out.length, before, 'a retained request gets no answer');
  t.same(calls, ['ack:x1'], 'and does nothing');
  t.match(server.stats, { ignoredRetained: 1, answered: 2, refused: 4 });

  server.stop();
  t.notOk(up.subs.has('r/request/+'), 'unsubscribed on stop');
  await server.handle(msg('ping', {}));
  t.equal(up.out.length, before, 'nothing after stop');
});

void t.test('an undeliverable response is logged, not thrown', async (t) => {
  const logger = captureLogger();
  const server = new RequestServer({ uplink: fakeUplink({ failPublish: true }), root: 'r', gatewayId: 'gw', handlers, logger, now: () => 0 });
  server.start();
  await t.resolves(server.handle(msg('ping', {})));
  t.match(logger.lines.join('\n'), /response not delivered.*UPLINK_NOT_CONNECTED/);
});

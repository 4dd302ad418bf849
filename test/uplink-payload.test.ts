import t from 'tap';
import { eventTopic, rootTopic, stateTopic, statusTopic } from '../src/uplink/topics.js';
import { eventPayload, statePayload, statusPayload } from '../src/uplink/payload.js';
import { alarmEvent } from './uplink-helpers.js';

const ctx = { site: { id: 'riverside', name: 'Riverside 12' }, gatewayId: 'gw1', lift: { id: 'A', label: 'Lift A', landings: ['-1', '0', '1', '2'] } };

void t.test('topics', async (t) => {
  const root = rootTopic('liftwatch', 'riverside', 'gw1');
  t.equal(root, 'liftwatch/riverside/gw1');
  t.equal(rootTopic('acme/liftwatch', 's', 'g'), 'acme/liftwatch/s/g', 'multi-level prefix');
  t.equal(statusTopic(root), 'liftwatch/riverside/gw1/status');
  t.equal(eventTopic(root, 'A'), 'liftwatch/riverside/gw1/lift/A/event');
  t.equal(stateTopic(root, 'A'), 'liftwatch/riverside/gw1/lift/A/state');
  for (const bad of ['a/b', 'a+', '#', '', 'x\u0000']) {
    t.throws(() => eventTopic(root, bad), { code: 'UPLINK_INVALID_TOPIC_ID' }, `liftId ${JSON.stringify(bad)}`);
    t.throws(() => rootTopic('liftwatch', bad, 'g'), { code: 'UPLINK_INVALID_TOPIC_ID' });
    t.throws(() => rootTopic('liftwatch', 's', bad), { code: 'UPLINK_INVALID_TOPIC_ID' });
  }
  t.throws(() => rootTopic('a//b', 's', 'g'), { code: 'UPLINK_INVALID_TOPIC_ID' }, 'empty prefix level');
  t.throws(() => rootTopic('a/+', 's', 'g'), { code: 'UPLINK_INVALID_TOPIC_ID' });
});

void t.test('eventPayload', async (t) => {
  const e = alarmEvent({ alarmId: 'al-1', floor: 2, controllerCode: 42, at: Date.UTC(2025, 5, 1, 12, 0, 0, 5) });
  const p = eventPayload(e, ctx);
  t.same(p, {
    schema: 'liftwatch.event/1',
    alarmId: 'al-1',
    lifecycle: 'raised',
    code: 'STOPPED_BETWEEN_FLOORS',
    severity: 'critical',
    site: { id: 'riverside', name: 'Riverside 12' },
    gatewayId: 'gw1',
    lift: { id: 'A', label: 'Lift A' },
    landings: ['-1', '0', '1', '2'],
    floor: '1',
    floorIndex: 2,
    occurredAt: '2025-06-01T11:59:30.005Z',
    confirmedAt: '2025-06-01T12:00:00.005Z',
    clearedAt: null,
    at: '2025-06-01T12:00:00.005Z',
    controllerCode: 42,
    evidence: e.evidence,
  });
  t.notOk('historical' in p, 'historical is added at delivery');
  t.notOk('endOfAlarmSource' in p);
  const end = eventPayload({ ...e, lifecycle: 'end_of_alarm', endOfAlarmSource: 'cli', detail: 'by tech', floor: null, clearedAt: e.at + 1 }, ctx);
  t.equal(end['endOfAlarmSource'], 'cli');
  t.equal(end['detail'], 'by tech');
  t.equal(end['floor'], null);
  t.equal(end['floorIndex'], null);
  t.equal(end['clearedAt'], '2025-06-01T12:00:00.006Z');
  t.equal(eventPayload({ ...e, floor: 9 }, ctx)['floor'], null, 'out-of-range floor has no label');
  // Pure: the context is copied, not shared.
  (p['landings'] as string[]).push('x');
  t.equal(ctx.lift.landings.length, 4);
});

void t.test('statePayload and statusPayload', async (t) => {
  const at = Date.UTC(2025, 0, 1);
  const s = statePayload(
    {
      liftId: 'A',
      link: 'ok',
      mode: 'normal',
      moving: false,
      direction: 'none',
      floor: 0,
      inDoorZone: true,
      doors: 'closed',
      activeAlarms: [{ alarmId: 'x', code: 'OVERLOAD', severity: 'minor', since: at }],
      lastSampleAt: at + 1,
    },
    ctx,
    at + 2,
  );
  t.match(s, {
    schema: 'liftwatch.state/1',
    liftId: 'A',
    lift: { id: 'A', label: 'Lift A' },
    landings: ['-1', '0', '1', '2'],
    floor: '-1',
    floorIndex: 0,
    activeAlarms: [{ alarmId: 'x', code: 'OVERLOAD', severity: 'minor', since: '2025-01-01T00:00:00.000Z' }],
    lastSampleAt: '2025-01-01T00:00:00.001Z',
    at: '2025-01-01T00:00:00.002Z',
  });
  t.same(statusPayload({ state: 'online', session: 7, gatewayId: 'gw1', site: ctx.site, version: '0.1.0', at }), {
    schema: 'liftwatch.status/1',
    state: 'online',
    session: 7,
    gatewayId: 'gw1',
    site: { id: 'riverside', name: 'Riverside 12' },
    version: '0.1.0',
    at: '2025-01-01T00:00:00.000Z',
  });
});

/** withHistoricalJson: the stored payload text plus `historical`, the same bytes as parse + spread + stringify. */
import t from 'tap';
import { eventPayload, withHistoricalJson } from '../src/uplink/payload.js';
import { withIds } from '../src/store/outbox-rules.js';
import { alarmEvent } from './uplink-helpers.js';

const slow = (json: string, historical: boolean): string =>
  JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), historical });

void t.test('same bytes as JSON.stringify({ ...payload, historical }) for stored event payloads', (t) => {
  const ctx = { site: { id: 's', name: 'Tower "Ä" \u2028' }, gatewayId: 'g', lift: { id: 'L1', label: 'Lift 1', landings: ['-1', '0', '1'] } };
  for (const [i, event] of [alarmEvent(), alarmEvent({ lifecycle: 'cleared', clearedAt: 5, floor: null }), alarmEvent({ severity: 'info', code: 'INSPECTION_MODE' })].entries()) {
    const json = JSON.stringify(withIds(eventPayload(event, ctx), `id-${i}`, i + 1));
    for (const h of [true, false]) t.equal(withHistoricalJson(json, h), slow(json, h));
  }
  t.end();
});

void t.test('odd texts take the slow path and still give the same bytes', (t) => {
  for (const json of ['{}', '{"a":1}', '{"historical":false,"a":1}', '{"a":"say \\"historical\\""}', '{"a":{"historical":1}}', '{ "a": 1 }', '{"a":[1,{}]}']) {
    for (const h of [true, false]) t.equal(withHistoricalJson(json, h), slow(json, h), json);
  }
  t.end();
});

/**
 * Time-ordered event and alarm ids (the scale benchmark; RFC 9562 §5.7): the layout, the order the store's
 * UNIQUE index relies on for locality, and uniqueness when the clock stalls or steps back.
 */
import t from 'tap';
import { newUuidV7, uuidV7Generator } from '../src/platform/uuid-v7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

void t.test('layout: version 7, variant 0b10, the milliseconds in the first 48 bits', async (t) => {
  const at = Date.UTC(2026, 10, 22, 13, 0, 0, 123);
  const id = uuidV7Generator(() => at)();
  t.match(id, V7);
  t.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at, 'unix_ts_ms');
  t.match(newUuidV7(), V7, 'the shared generator too');
});

void t.test('ids sort in the order they were made, across and within milliseconds', async (t) => {
  let ms = 1_767_225_600_000;
  const next = uuidV7Generator(() => ms);
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    if (i % 3000 === 0) ms += 1; // several thousand in one ms: the counter rolls over into the next
    ids.push(next());
  }
  const sorted = [...ids].sort();
  t.same(sorted, ids, 'lexical order = creation order');
  t.equal(new Set(ids).size, ids.length, 'all distinct');
  t.ok(ids.every((id) => V7.test(id)), 'every one a v7');
});

void t.test('a clock set back: ids keep increasing and stay unique', async (t) => {
  let ms = 1_767_225_600_000;
  const next = uuidV7Generator(() => ms);
  const before = [next(), next()];
  ms -= 3_600_000; // an NTP step back by an hour
  const after = [next(), next()];
  const all = [...before, ...after];
  t.same([...all].sort(), all, 'still in creation order');
  t.equal(new Set(all).size, 4);
  // Two generators in the same millisecond still differ (62 random bits).
  const a = uuidV7Generator(() => ms)();
  const b = uuidV7Generator(() => ms)();
  t.not(a, b);
});

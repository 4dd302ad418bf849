import t from 'tap';
import { appendCrc } from '../src/protocol/modbus/crc16.js';
import { encodeMbap, MbapFramer } from '../src/protocol/modbus/mbap-framer.js';
import { encodeRtu, RtuRequestFramer, rtuRequestLength } from '../src/protocol/modbus/rtu-framer.js';

const read = (unit: number, fc: number, start: number, qty: number): Buffer =>
  appendCrc(Buffer.from([unit, fc, start >> 8, start & 0xff, qty >> 8, qty & 0xff]));

void t.test('RTU: a request arrives byte by byte', async (t) => {
  const f = new RtuRequestFramer();
  const frame = read(3, 0x03, 0, 5);
  const got = [];
  for (const b of frame) got.push(...f.push(Buffer.from([b])));
  t.equal(got.length, 1);
  t.equal(got[0]?.unit, 3);
  t.same([...(got[0]?.pdu ?? [])], [3, 0, 0, 0, 5]);
});

void t.test('RTU: back-to-back requests, garbage before, bad CRC ignored', async (t) => {
  const f = new RtuRequestFramer();
  const bad = read(1, 0x04, 0, 5);
  bad[7] = (bad[7] ?? 0) ^ 0xff;
  const stream = Buffer.concat([Buffer.from([0xff, 0x00, 0x03, 0x99]), read(1, 0x03, 0, 5), bad, read(2, 0x02, 0, 16)]);
  const got = f.push(stream);
  t.same(got.map((r) => [r.unit, r.pdu[0]]), [[1, 3], [2, 2]], 'only the two valid requests come out');
  t.ok(f.stats.crcErrors >= 1, 'the bad CRC was counted');
  t.ok(f.stats.discardedBytes >= 4 + 8, 'noise and the bad frame were discarded');
});

void t.test('RTU: noise that looks like the start of a long frame does not stall a later valid one', async (t) => {
  const f = new RtuRequestFramer();
  // 0x01 0x10 ... 0xF0: "write multiple registers" with a byte count of 240 that never comes
  const got = f.push(Buffer.concat([Buffer.from([0x01, 0x10, 0, 0, 0, 1, 0xf0]), read(1, 0x03, 0, 1)]));
  t.equal(got.length, 1);
  t.equal(got[0]?.pdu[0], 3);
});

void t.test('RTU: request lengths per function', async (t) => {
  t.equal(rtuRequestLength(Buffer.from([1, 3])), 8);
  t.equal(rtuRequestLength(Buffer.from([1, 0x11])), 4);
  t.equal(rtuRequestLength(Buffer.from([1, 0x10, 0, 0, 0])), 'more');
  t.equal(rtuRequestLength(Buffer.from([1, 0x10, 0, 0, 0, 2, 4])), 13);
  t.equal(rtuRequestLength(Buffer.from([1, 0x42])), 'unknown');
  t.same([...encodeRtu(0x11, Buffer.from([0x03, 0x00, 0x6b, 0x00, 0x03]))].slice(-2), [0x76, 0x87]);
});

void t.test('MBAP: split and joined frames, bad header dropped', async (t) => {
  const f = new MbapFramer();
  const a = encodeMbap(7, 1, Buffer.from([3, 0, 0, 0, 5]));
  const b = encodeMbap(8, 2, Buffer.from([4, 0, 1, 0, 2]));
  t.same([...a], [0, 7, 0, 0, 0, 6, 1, 3, 0, 0, 0, 5]);
  const joined = Buffer.concat([a, b]);
  t.same(f.push(joined.subarray(0, 5)), []);
  const got = f.push(joined.subarray(5));
  t.same(got.map((r) => [r.transactionId, r.unit, r.pdu[0]]), [[7, 1, 3], [8, 2, 4]]);
  const bad = Buffer.from(a);
  bad[3] = 1; // protocol id 1 is not Modbus
  t.same(f.push(bad), []);
  t.equal(f.stats.badHeaders, 1);
  t.equal(f.push(a).length, 1, 'framing resumes with the next clean frame');
});

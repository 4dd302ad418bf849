// Framing of plain serial status frames: binary frames (start, length or fixed
// length, checksum, end) and ASCII lines, with resynchronisation after noise, and decoding
// with the two shipped template profiles against the simulator's encoders.
import t from 'tap';
import { BinaryFramer, type BinaryFraming } from '../src/protocol/frames/binary-framer.js';
import { LineFramer } from '../src/protocol/frames/line-framer.js';
import { compileProtocol } from '../src/protocol/frames/protocol.js';
import { computeChecksum } from '../src/protocol/frames/checksum.js';
import { loadProfile } from '../src/config/profiles.js';
import { statusFrame, enquiryFrame, parseEnquiries } from '../src/sim/frames/binary-protocol.js';
import { statusLine, faultLine, clearLine } from '../src/sim/frames/ascii-protocol.js';
import type { SimSignals } from '../src/sim/register-image.js';

const sim: SimSignals = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true, moving: false,
  alarmButton: true, inspection: false, fireService: false, outOfService: false, overload: false, mainsPower: true,
  endOfAlarm: false, controlVoltage: true, carLight: true, alarmDeviceFault: false, callRegistered: true,
  doorOpenCommand: false, floor: 3, direction: 'down', faultCode: 72,
};

/** STX, type, len, data, sum8 over type..data, ETX. */
const sumFraming: BinaryFraming = {
  start: [0x02], length: { byte: 2, size: 1, endian: 'big', adjust: 5 }, checksum: { type: 'sum8', from: 1, endian: 'big' },
  end: [0x03], maxFrameLength: 32,
};
function sumFrame(type: number, data: number[]): Buffer {
  const body = [0x02, type, data.length, ...data];
  return Buffer.from([...body, computeChecksum('sum8', Buffer.from(body), 1, body.length), 0x03]);
}

void t.test('binary: frames split across chunks and glued together', async (t) => {
  const f = new BinaryFramer(sumFraming);
  const a = sumFrame(0x31, [1, 2, 3]);
  const b = sumFrame(0x32, []);
  const all = Buffer.concat([a, b]);
  const out: Buffer[] = [];
  for (const byte of all) out.push(...f.push(Buffer.from([byte])));
  t.same(out, [a, b], 'byte by byte');
  t.same(f.push(Buffer.concat([a, b, a])), [a, b, a], 'three in one chunk');
  t.equal(f.pending, 0);
  t.equal(f.counters.frames, 5);
});

void t.test('binary: garbage, bad checksum, bad length and bad end are counted and skipped', async (t) => {
  const f = new BinaryFramer(sumFraming);
  const good = sumFrame(0x31, [9, 9]);
  const badSum = Buffer.from(good);
  badSum[5] = (badSum[5] ?? 0) ^ 1;
  const badEnd = Buffer.from(good);
  badEnd[badEnd.length - 1] = 0x04;
  const badLen = Buffer.from([0x02, 0x31, 200]); // longer than maxFrameLength
  const out = f.push(Buffer.concat([Buffer.from('noise!'), badSum, good, badLen, good, badEnd, good]));
  // The last good frame sits behind a false start (a 0x02 inside the bad frame whose "length"
  // reaches past it): it is found when the false frame fails or the line goes quiet.
  out.push(...f.expire());
  t.same(out, [good, good, good], 'every good frame is found');
  t.equal(f.counters.badChecksum, 1);
  t.ok(f.counters.badFrame >= 2, 'length and end');
  t.ok(f.counters.discardedBytes >= 6, 'noise counted');
});

void t.test('binary: a false start left waiting is dropped when the line goes quiet', async (t) => {
  const f = new BinaryFramer(sumFraming);
  const good = sumFrame(0x31, [1]);
  // A start byte and a length of 20: the framer waits for 25 bytes that never come.
  t.same(f.push(Buffer.from([0x02, 0x31, 20])), []);
  t.same(f.push(good), [], 'the good frame is held behind the false start');
  t.same(f.expire(), [good], 'expire rescans and finds it');
  t.equal(f.counters.partialDropped, 1);
  t.equal(f.pending, 0);
});

void t.test('binary: fixed length with XOR and a two-byte start', async (t) => {
  const f = new BinaryFramer({ start: [0xaa, 0x55], fixedLength: 6, checksum: { type: 'xor8', from: 2, endian: 'big' }, end: [], maxFrameLength: 6 });
  const body = [0xaa, 0x55, 0x01, 0x02, 0x03];
  const frame = Buffer.from([...body, 0x01 ^ 0x02 ^ 0x03]);
  t.same(f.push(Buffer.concat([Buffer.from([0xaa]), frame.subarray(0, 3)])), [], 'a lone 0xAA is noise');
  t.same(f.push(frame.subarray(3)), [frame], 'start split across chunks');
  t.equal(f.counters.discardedBytes, 1);
});

void t.test('binary: CRC-16 framing of the template profile decodes the simulator frame', async (t) => {
  const proto = compileProtocol(loadProfile('binary-enquiry-example'));
  const framer = proto.newFramer(4096);
  const frames = framer.push(Buffer.concat([Buffer.from([0x02, 0x02, 0x31]), statusFrame(4, sim)]));
  t.equal(frames.length, 1);
  const d = proto.decode(frames[0]!);
  t.equal(d?.unit, 4);
  t.same(d?.values, { ...sim }, 'every canonical signal round-trips');
  t.same(proto.enquiry(4), enquiryFrame(4), 'the enquiry is the simulator\'s, CRC appended');
  t.same(parseEnquiries(enquiryFrame(4)).units, [4]);
  t.equal(proto.decode(enquiryFrame(4)), null, 'an echoed enquiry is no message');
});

void t.test('ascii: lines, CR LF split, blank lines, overlong lines', async (t) => {
  const f = new LineFramer({ terminator: '\r\n', maxLineLength: 10 });
  t.same(f.push(Buffer.from('AB\r')), []);
  t.same(f.push(Buffer.from('\n\r\nCD\r\n')).map(String), ['AB', 'CD']);
  t.same(f.push(Buffer.from('0123456789XYZ')), [], 'overlong: dropped');
  t.ok(f.pending <= 11, 'never holds more than the cap (+ a split terminator)');
  t.same(f.push(Buffer.from('YZ\r\nok\r\n')).map(String), ['ok'], 'the rest of the long line is skipped to the terminator');
  t.equal(f.counters.overlong, 1);
  t.equal(f.pending, 0);
  t.same(f.push(Buffer.from('partial')), []);
  f.expire();
  t.equal(f.counters.partialDropped, 1);
  t.same(f.push(Buffer.from('next\r\n')).map(String), ['next'], 'a fresh line after the line went quiet');
});

void t.test('ascii: the printer template decodes the simulator lines', async (t) => {
  const proto = compileProtocol(loadProfile('ascii-printer-example'));
  const framer = proto.newFramer(4096);
  const text = statusLine(2, sim) + faultLine(2, 72) + 'garbage\r\n' + clearLine(2, 72);
  const frames = framer.push(Buffer.from(text, 'latin1'));
  t.equal(frames.length, 4);
  const [st, flt, junk, clr] = frames.map((f) => proto.decode(f));
  t.equal(st?.unit, 2);
  t.same(st?.values, { ...sim }, 'status line: every signal');
  t.same(flt?.values, { faultCode: 72 });
  t.equal(junk, null, 'unmatched');
  t.same(clr?.values, { faultCode: 0 }, 'set: a cleared fault');
  t.equal(proto.polled, false);
  t.equal(proto.enquiry(2), null);
});

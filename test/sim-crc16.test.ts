import t from 'tap';
import { appendCrc, crc16, hasValidCrc } from '../src/protocol/modbus/crc16.js';

void t.test('CRC-16/MODBUS check value and spec examples', async (t) => {
  // Catalogue check value of CRC-16/MODBUS (reveng): "123456789" -> 0x4B37.
  t.equal(crc16(Buffer.from('123456789', 'ascii')), 0x4b37);
  // Modbus over Serial Line V1.02 / MB-AP examples: read 3 registers from 0x6B of unit 0x11.
  t.same([...appendCrc(Buffer.from([0x11, 0x03, 0x00, 0x6b, 0x00, 0x03]))], [0x11, 0x03, 0x00, 0x6b, 0x00, 0x03, 0x76, 0x87]);
  // The classic "read 10 holding registers of unit 1" request: 01 03 00 00 00 0A C5 CD.
  t.same([...appendCrc(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]))].slice(-2), [0xc5, 0xcd]);
  t.equal(crc16(Buffer.alloc(0)), 0xffff, 'empty input leaves the init value');
});

void t.test('hasValidCrc accepts good frames and rejects any single-bit flip', async (t) => {
  const frame = appendCrc(Buffer.from([0x01, 0x04, 0x00, 0x00, 0x00, 0x05]));
  t.ok(hasValidCrc(frame));
  for (let byte = 0; byte < frame.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = Buffer.from(frame);
      bad[byte] = (bad[byte] ?? 0) ^ (1 << bit);
      if (hasValidCrc(bad)) t.fail(`flip of byte ${byte} bit ${bit} not detected`);
    }
  }
  t.notOk(hasValidCrc(Buffer.from([0x01, 0x02])), 'too short to carry a CRC');
  t.equal(crc16(frame, 1, 4), crc16(frame.subarray(1, 4)), 'range form equals subarray form');
});

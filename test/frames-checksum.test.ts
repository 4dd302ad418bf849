// Checksums and hex templates of plain serial frames, with published check values:
// CRC-16/MODBUS "123456789" = 0x4B37 (CRC RevEng catalogue), the Modbus request
// 01 03 00 00 00 0A whose CRC is C5 CD on the wire (Modbus over Serial Line v1.02, 6.2.2).
import t from 'tap';
import { checksumBytes, computeChecksum, crc16Modbus, readChecksum, sum8, xor8 } from '../src/protocol/frames/checksum.js';
import { fillTemplate, parseHex, parseHexTemplate, toHex } from '../src/protocol/frames/hex.js';
import { convertField } from '../src/protocol/frames/convert.js';

const check = Buffer.from('123456789', 'latin1');

void t.test('check values of "123456789"', async (t) => {
  t.equal(crc16Modbus(check), 0x4b37, 'CRC-16/MODBUS');
  t.equal(sum8(check), 0xdd, 'sum-8 (477 mod 256)');
  t.equal(xor8(check), 0x31, 'XOR-8');
  t.equal(sum8(Buffer.from([0xff, 0x02])), 0x01, 'sum-8 wraps');
  t.equal(xor8(Buffer.from([])), 0, 'XOR of nothing');
});

void t.test('CRC of a Modbus request, low byte first', async (t) => {
  const req = Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]);
  const crc = computeChecksum('crc16-modbus', req, 0, req.length);
  t.same(checksumBytes('crc16-modbus', crc, 'little'), [0xc5, 0xcd]);
  t.same(checksumBytes('crc16-modbus', crc, 'big'), [0xcd, 0xc5]);
  const wire = Buffer.from([...req, 0xc5, 0xcd]);
  t.equal(readChecksum('crc16-modbus', wire, 6, 'little'), crc);
  t.equal(computeChecksum('sum8', wire, 1, 3), 0x03, 'ranges are [from, to)');
  t.same(checksumBytes('xor8', 0x1234, 'little'), [0x34]);
});

void t.test('hex templates', async (t) => {
  t.same(parseHex('AA 55'), [0xaa, 0x55]);
  t.same(parseHex('aa55 03'), [0xaa, 0x55, 0x03]);
  t.same(parseHexTemplate('02 {unit} 05'), [2, 'unit', 5]);
  t.same(fillTemplate(parseHexTemplate('02{unit}05'), 7), [2, 7, 5]);
  t.throws(() => parseHex('0G'), { code: 'FRAMES_BAD_HEX' });
  t.throws(() => parseHex('02 {unit}'), { code: 'FRAMES_BAD_HEX' });
  t.equal(toHex([2, 0xab]), '02 AB');
});

void t.test('field conversions', async (t) => {
  t.equal(convertField('floor', '03', {}), 3, 'decimal text');
  t.equal(convertField('floor', '3', { offset: -1 }), 2, 'a 1-based floor made 0-based');
  t.equal(convertField('faultCode', '1F', { radix: 16 }), 31, 'hex text');
  t.equal(convertField('faultCode', 'E72', {}), undefined, 'not a number: unknown, not a guess');
  t.equal(convertField('doorZone', '0842', { radix: 16, mask: 0x0002 }), true, 'mask on hex text');
  t.equal(convertField('doorZone', '0840', { radix: 16, mask: 0x0002 }), false);
  t.equal(convertField('alarmButton', 'Y', {}), true, 'Y/N text');
  t.equal(convertField('alarmButton', 'off', {}), false);
  t.equal(convertField('alarmButton', '?', {}), undefined);
  t.equal(convertField('mainsPower', '1', { invert: true }), false, 'invert');
  t.equal(convertField('direction', 'U', { enum: { U: 'up', D: 'down', N: 'none' } }), 'up');
  t.equal(convertField('direction', 'X', { enum: { U: 'up' } }), undefined, 'unlisted enum value');
  t.equal(convertField('direction', 'down', {}), 'down');
  t.equal(convertField('direction', 2, { enum: { 0: 'none', 1: 'up', 2: 'down' } }), 'down', 'numeric enum');
  t.equal(convertField('safetyChain', 0x8001, { mask: 0x0001 }), true, 'byte field mask');
  t.equal(convertField('floor', 0xf3, { mask: 0xf0 }), 15, 'numeric mask shifted down');
  t.equal(convertField('faultCode', 10, { scale: 2, offset: 1 }), 21);
  t.equal(convertField('overload', 0, {}), false);
});

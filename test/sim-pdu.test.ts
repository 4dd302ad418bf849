import t from 'tap';
import { EXCEPTION, handlePdu } from '../src/sim/modbus-pdu.js';
import { decodeRegisters, encodeRegisters, STATUS_BITS, type SimSignals } from '../src/sim/register-image.js';

const req = (fc: number, start: number, qty: number): Buffer => {
  const b = Buffer.alloc(5);
  b[0] = fc;
  b.writeUInt16BE(start, 1);
  b.writeUInt16BE(qty, 3);
  return b;
};

// HR0 = 0b1010_0000_0011_0101 -> bits 0,2,4,5,13,15
const regs = [0xa035, 7, 2, 513, 3];

void t.test('FC03 and FC04 read the register image', async (t) => {
  t.same([...handlePdu(req(3, 0, 5), regs)], [3, 10, 0xa0, 0x35, 0, 7, 0, 2, 0x02, 0x01, 0, 3]);
  t.same([...handlePdu(req(4, 1, 2), regs)], [4, 4, 0, 7, 0, 2], 'input registers mirror holding registers');
  t.same([...handlePdu(req(3, 4, 1), regs)], [3, 2, 0, 3], 'last register');
});

void t.test('FC01 and FC02 read the HR0 bits, LSB of the first byte first', async (t) => {
  t.same([...handlePdu(req(2, 0, 16), regs)], [2, 2, 0x35, 0xa0]);
  t.same([...handlePdu(req(1, 0, 16), regs)], [1, 2, 0x35, 0xa0], 'coils mirror the same bits');
  // inputs 4..13 = bits 4,5 set (->0b11), 13 set (-> bit 9 of the answer)
  t.same([...handlePdu(req(2, 4, 10), regs)], [2, 2, 0x03, 0x02]);
  t.same([...handlePdu(req(2, 15, 1), regs)], [2, 1, 0x01], 'last input');
});

void t.test('exceptions per MB-AP section 6 and 7', async (t) => {
  const ex = (pdu: Buffer): number[] => [...pdu];
  t.same(ex(handlePdu(req(5, 0, 0xff00), regs)), [0x85, EXCEPTION.ILLEGAL_FUNCTION], 'write single coil');
  t.same(ex(handlePdu(Buffer.from([0x06, 0, 0, 0, 1]), regs)), [0x86, 1], 'write single register');
  t.same(ex(handlePdu(Buffer.from([0x2b]), regs)), [0xab, 1], 'unsupported function');
  t.same(ex(handlePdu(req(3, 5, 1), regs)), [0x83, EXCEPTION.ILLEGAL_DATA_ADDRESS], 'register 5 does not exist');
  t.same(ex(handlePdu(req(3, 3, 3), regs)), [0x83, 2], 'range runs past the last register');
  t.same(ex(handlePdu(req(4, 100, 1), regs)), [0x84, 2]);
  t.same(ex(handlePdu(req(3, 0, 0), regs)), [0x83, EXCEPTION.ILLEGAL_DATA_VALUE], 'quantity 0');
  t.same(ex(handlePdu(req(3, 0, 0x7e), regs)), [0x83, 3], 'quantity above 125');
  t.same(ex(handlePdu(req(2, 0, 17), regs)), [0x82, 2], 'input 16 does not exist');
  t.same(ex(handlePdu(req(1, 0, 0x7d1), regs)), [0x81, 3], 'quantity above 2000');
  t.same(ex(handlePdu(req(2, 0, 0), regs)), [0x82, 3]);
  t.same(ex(handlePdu(Buffer.from([0x03, 0, 0]), regs)), [0x83, 3], 'truncated request');
});

void t.test('register image encodes the map and decodes back', async (t) => {
  const s = decodeRegisters([0, 0, 0, 0, 0]);
  for (const name of STATUS_BITS) t.equal(s[name], false);
  const all: SimSignals = { ...s, safetyChain: true, mainsPower: true, alarmDeviceFault: true, floor: 4, direction: 'down', faultCode: 77, doorOpenCommand: true };
  const r = encodeRegisters(all);
  t.same(r, [1 | (1 << 11) | (1 << 15), 4, 2, 77, 2]);
  t.same(decodeRegisters(r), all);
});

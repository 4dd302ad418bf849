/**
 * Pure Modbus slave PDU handling for the simulator's map: FC01/02/03/04 against one lift's
 * register image. Modbus Application Protocol Specification V1.1b3 (MB-AP), section 6 and
 * the state diagrams in 6.1-6.4; exception codes from section 7.
 */
import { REGISTER_COUNT } from './register-image.js';

export const EXCEPTION = {
  ILLEGAL_FUNCTION: 0x01,
  ILLEGAL_DATA_ADDRESS: 0x02,
  ILLEGAL_DATA_VALUE: 0x03,
  SERVER_DEVICE_FAILURE: 0x04,
} as const;

export type ExceptionCode = (typeof EXCEPTION)[keyof typeof EXCEPTION];

/** Bits readable with FC01/FC02: the 16 HR0 status bits. */
const BIT_COUNT = 16;

/** An exception response PDU: function code with bit 7 set, then the exception code (MB-AP 7). */
export function exceptionPdu(functionCode: number, code: ExceptionCode): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, code]);
}

/**
 * Answers one request PDU (function code + data, no address, no CRC) against HR0..HR4.
 * Always returns a response PDU; exceptions are responses too.
 */
export function handlePdu(request: Uint8Array, registers: readonly number[]): Buffer {
  const fc = request[0] ?? 0;
  if (fc < 1 || fc > 4) return exceptionPdu(fc, EXCEPTION.ILLEGAL_FUNCTION); // MB-AP 7, code 01
  // FC01-04 requests are fc + start(2) + quantity(2); a malformed one gets illegal data value.
  if (request.length !== 5) return exceptionPdu(fc, EXCEPTION.ILLEGAL_DATA_VALUE);
  const start = ((request[1] ?? 0) << 8) | (request[2] ?? 0);
  const quantity = ((request[3] ?? 0) << 8) | (request[4] ?? 0);
  return fc <= 2 ? readBits(fc, start, quantity, registers[0] ?? 0) : readRegisters(fc, start, quantity, registers);
}

/** FC01 read coils / FC02 read discrete inputs (MB-AP 6.1, 6.2). */
function readBits(fc: number, start: number, quantity: number, status: number): Buffer {
  // 6.1/6.2: 0x0001 <= quantity <= 0x07D0, else exception 03.
  if (quantity < 1 || quantity > 0x07d0) return exceptionPdu(fc, EXCEPTION.ILLEGAL_DATA_VALUE);
  // Then start and start + quantity must be inside the table, else exception 02.
  if (start + quantity > BIT_COUNT) return exceptionPdu(fc, EXCEPTION.ILLEGAL_DATA_ADDRESS);
  const byteCount = Math.ceil(quantity / 8);
  const out = Buffer.alloc(2 + byteCount);
  out[0] = fc;
  out[1] = byteCount;
  for (let i = 0; i < quantity; i++) {
    // Bit i of the response is input start + i; LSB of the first data byte first (6.1).
    if ((status >> (start + i)) & 1) out[2 + (i >> 3)] = (out[2 + (i >> 3)] ?? 0) | (1 << (i & 7));
  }
  return out;
}

/** FC03 read holding registers / FC04 read input registers (MB-AP 6.3, 6.4). */
function readRegisters(fc: number, start: number, quantity: number, registers: readonly number[]): Buffer {
  // 6.3/6.4: 0x0001 <= quantity <= 0x007D, else exception 03.
  if (quantity < 1 || quantity > 0x007d) return exceptionPdu(fc, EXCEPTION.ILLEGAL_DATA_VALUE);
  if (start + quantity > REGISTER_COUNT) return exceptionPdu(fc, EXCEPTION.ILLEGAL_DATA_ADDRESS);
  const out = Buffer.alloc(2 + 2 * quantity);
  out[0] = fc;
  out[1] = 2 * quantity;
  for (let i = 0; i < quantity; i++) out.writeUInt16BE((registers[start + i] ?? 0) & 0xffff, 2 + 2 * i);
  return out;
}

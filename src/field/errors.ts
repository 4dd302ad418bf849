/**
 * Typed field-bus errors with stable codes, so pollers and counters never branch on message
 * text. modbus-serial reports failures as loosely shaped errors; `classify` maps them once.
 */
export type FieldErrorCode =
  | 'TIMEOUT' // no (complete) answer within timeoutMs: silent unit, short frame, wrong unit
  | 'CRC' // answer with a bad CRC (Modbus over serial line V1.02, 2.5.1.2)
  | 'EXCEPTION' // the slave answered with a Modbus exception (Application Protocol 1.1b3, 7)
  | 'BAD_FRAME' // an answer of the wrong length or shape
  | 'LINK_DOWN' // the port or socket is not open
  | 'OTHER';

export class FieldError extends Error {
  constructor(
    message: string,
    readonly code: FieldErrorCode,
    readonly context: { bus: string; unitId?: number; modbusCode?: number } = { bus: '?' },
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

interface LooseError {
  name?: unknown;
  message?: unknown;
  modbusCode?: unknown;
  errno?: unknown;
  code?: unknown;
}

/**
 * modbus-serial's errors as it raises them: timeouts and a closed port have a name and an errno,
 * exceptions a modbusCode, but a bad CRC and a wrong-length answer are plain Errors whose text
 * is the only thing that tells them apart (modbus-serial 8 index.js, _onReceive). The texts are
 * matched for that reason alone, with the version pinned in package.json; test/fuzz-modbus.test.ts
 * and test/e2e-modbus.test.ts fail if an upgrade changes them (CRC counted as CRC).
 */
export function classify(err: unknown, bus: string, unitId?: number): FieldError {
  if (err instanceof FieldError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as LooseError;
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const ctx = { bus, ...(unitId === undefined ? {} : { unitId }) };
  if (e.name === 'TransactionTimedOutError' || e.errno === 'ETIMEDOUT') {
    return new FieldError('no answer within the timeout', 'TIMEOUT', ctx);
  }
  if (typeof e.modbusCode === 'number') {
    return new FieldError(message, 'EXCEPTION', { ...ctx, modbusCode: e.modbusCode });
  }
  if (message === 'CRC error') return new FieldError('answer with a bad CRC', 'CRC', ctx);
  if (/length|unexpected|data/i.test(message) && !/not open/i.test(message)) {
    return new FieldError(message, 'BAD_FRAME', ctx);
  }
  if (
    e.name === 'PortNotOpenError' ||
    e.errno === 'ECONNREFUSED' ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'ECONNRESET' ||
    e.code === 'EPIPE' ||
    e.code === 'ENOENT' ||
    /not open|closed/i.test(message)
  ) {
    return new FieldError(message, 'LINK_DOWN', ctx);
  }
  return new FieldError(message, 'OTHER', ctx);
}

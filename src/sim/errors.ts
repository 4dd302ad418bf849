/** Typed errors of the simulator: branch on `code`, never on the message. */
export type SimErrorCode =
  | 'SIM_BAD_TARGET' // parseSimTarget could not understand a target spec
  | 'SIM_UNKNOWN_UNIT' // no simulated lift has this unit id
  | 'SIM_DUPLICATE_UNIT' // two lifts share a unit id
  | 'SIM_BAD_CONFIG' // a lift or timing option is out of range
  | 'SIM_BAD_SCENARIO' // unknown scenario name or malformed step
  | 'SIM_BAD_TRAFFIC' // unknown traffic profile name
  | 'SIM_BAD_BEHAVIOUR' // a behaviour spec (e.g. from --behaviour) could not be understood
  | 'SIM_LISTEN_FAILED' // a TCP server could not bind
  | 'SIM_SERIAL_FAILED'; // a serial device could not be opened

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: SimErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SimError';
    this.code = code;
    this.context = context;
  }
}

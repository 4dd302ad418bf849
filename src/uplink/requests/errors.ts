/** Why a request was refused: the stable `code` of an error response (docs/mqtt-api.md). */
export type RequestErrorCode =
  | 'UNKNOWN_OP' // no such op under <root>/request/
  | 'MALFORMED' // not a JSON object
  | 'INVALID' // JSON, but not what the op's schema expects
  | 'UNKNOWN_LIFT' // liftId names no lift of this gateway
  | 'UNKNOWN_ALARM' // alarmId names no active alarm
  | 'NOT_CONNECTED' // rebirth could not be completed: the connection dropped
  | 'INTERNAL'; // a bug: the handler threw

export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

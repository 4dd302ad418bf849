/**
 * The diagnostics protocol between the `liftwatch` CLI and the running agent: one JSON
 * object per line (newline-delimited JSON) over a local unix socket.
 *
 *   request  {"id":1,"op":"status","args":{}}
 *   response {"id":1,"ok":true,"result":{...}}  or  {"id":1,"ok":false,"error":{"code":"UNKNOWN_LIFT","message":"..."}}
 *
 * Requests on one connection are answered in order; a client may send several.
 */

/** Read requests: answered on both sockets. */
export const READ_OPS = ['status', 'alarms', 'history', 'signals', 'outbox', 'ping'] as const;
/** Requests that change state: answered on the full-access socket only. */
export const WRITE_OPS = ['end-alarm', 'test-alarm'] as const;

export type ReadOp = (typeof READ_OPS)[number];
export type WriteOp = (typeof WRITE_OPS)[number];
export type Op = ReadOp | WriteOp;

export function isOp(x: unknown): x is Op {
  return typeof x === 'string' && ((READ_OPS as readonly string[]).includes(x) || (WRITE_OPS as readonly string[]).includes(x));
}

export function changesState(op: Op): op is WriteOp {
  return (WRITE_OPS as readonly string[]).includes(op);
}


export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: DiagnosticsErrorCode; message: string } };

export type DiagnosticsErrorCode =
  | 'BAD_REQUEST' // not JSON, no id/op, unknown op, bad args
  | 'FORBIDDEN' // a state-changing request on the read-only socket
  | 'UNKNOWN_LIFT'
  | 'TIMEOUT' // e.g. the test call was not acknowledged by the broker in time
  | 'NOT_AVAILABLE' // the agent cannot do this now (e.g. stopping)
  | 'NO_AGENT' // client side: nothing listens on the socket
  | 'ACCESS_DENIED' // client side: the socket's permissions refuse us
  | 'INTERNAL';

export class DiagnosticsError extends Error {
  constructor(
    readonly code: DiagnosticsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DiagnosticsError';
  }
}

/** Longest request line accepted; a diagnostics request is a few hundred bytes. */
export const MAX_LINE_BYTES = 64 * 1024;

/** Default read-only socket path: `x.sock` → `x-ro.sock`. */
export function readOnlyPath(socket: string): string {
  return socket.endsWith('.sock') ? `${socket.slice(0, -5)}-ro.sock` : `${socket}-ro`;
}

/**
 * Response payloads (`liftwatch.response/1`, docs/schemas/response.schema.json). Pure.
 * `transaction` is echoed whenever the request carried a usable one, also in error responses,
 * so a requester can match a refusal to its request; otherwise it is null.
 */
import { isoOrNull } from '../payload.js';

export const RESPONSE_SCHEMA = 'liftwatch.response/1';

export type Transaction = string | number | null;

interface Common {
  op: string;
  transaction: Transaction;
  gatewayId: string;
  at: number;
}

export function okResponse(c: Common, data: Record<string, unknown>): Record<string, unknown> {
  return { schema: RESPONSE_SCHEMA, op: c.op, transaction: c.transaction, gatewayId: c.gatewayId, ok: true, data, at: isoOrNull(c.at) };
}

export function errorResponse(c: Common, code: string, message: string): Record<string, unknown> {
  return { schema: RESPONSE_SCHEMA, op: c.op, transaction: c.transaction, gatewayId: c.gatewayId, ok: false, error: { code, message }, at: isoOrNull(c.at) };
}

/** The transaction of a request body, if it has a usable one (string or finite number). */
export function transactionOf(body: unknown): Transaction {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const t = (body as Record<string, unknown>)['transaction'];
  if (typeof t === 'string' && t.length <= 200) return t;
  if (typeof t === 'number' && Number.isFinite(t)) return t;
  return null;
}

/**
 * JSON Schemas of the request payloads (`<root>/request/<op>`), one per op. Every request may
 * carry `transaction` (echoed in the response, zigbee2mqtt `bridge/request/*` style); unknown
 * fields are refused so a typo (`alarmID`) is an error, not a silent no-op.
 * docs/mqtt-api.md ("Request/response") documents the same shapes for integrators.
 */
const transaction = {
  description: 'Any string or number; echoed unchanged in the response.',
  type: ['string', 'number'],
} as const;

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const by = { description: 'Who did it (operator name, system id), recorded in the event detail.', type: 'string', minLength: 1, maxLength: 200 } as const;

function op(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required, properties: { transaction, ...properties } };
}

export const REQUEST_SCHEMAS = {
  ping: op({}),
  rebirth: op({}),
  ack: op({ alarmId: id, by }, ['alarmId']),
  reset: op({ liftId: id, by }, ['liftId']),
  test: op({ liftId: id }, ['liftId']),
} as const;

export type RequestOp = keyof typeof REQUEST_SCHEMAS;

export interface RequestBodies {
  ping: { transaction?: string | number };
  rebirth: { transaction?: string | number };
  ack: { transaction?: string | number; alarmId: string; by?: string };
  reset: { transaction?: string | number; liftId: string; by?: string };
  test: { transaction?: string | number; liftId: string };
}

export function isRequestOp(op: string): op is RequestOp {
  return Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, op);
}

/**
 * The arguments each diagnostics request accepts, checked before any handler runs: a key the
 * op does not know, a value of the wrong type or out of its bounds is BAD_REQUEST. (A `signals`
 * request with `liftId` as an object once answered with every lift; `history` took `limit: -1`.)
 * Values are described by their type in errors, never echoed: anyone may write to the
 * read-only socket.
 */
import { DiagnosticsError, type Op } from './protocol.js';

/** Most history rows one request returns (the CLI's --limit is checked against it too). */
export const MAX_HISTORY_LIMIT = 10_000;
/** Longest a test call may be waited for (the CLI's --timeout). */
export const MAX_TEST_TIMEOUT_MS = 3_600_000;

type Spec =
  | { type: 'string'; maxLength: number; required?: boolean }
  | { type: 'integer' | 'number'; min: number; max: number; required?: boolean };

const LIFT: Spec = { type: 'string', maxLength: 64 };
const SINCE: Spec = { type: 'string', maxLength: 64 };

export const ARG_SPECS: Record<Op, Record<string, Spec>> = {
  ping: {},
  status: {},
  outbox: {},
  alarms: { lift: LIFT },
  signals: { lift: LIFT },
  history: { lift: LIFT, since: SINCE, limit: { type: 'integer', min: 1, max: MAX_HISTORY_LIMIT } },
  'end-alarm': { lift: { ...LIFT, required: true }, by: { type: 'string', maxLength: 200 } },
  'test-alarm': { lift: { ...LIFT, required: true }, timeoutMs: { type: 'number', min: 1, max: MAX_TEST_TIMEOUT_MS } },
};

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

/** The request's `args` checked against its op's spec; absent args are an empty object. */
export function validateArgs(op: Op, args: unknown): Record<string, unknown> {
  if (args === undefined) args = {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new DiagnosticsError('BAD_REQUEST', `args: expected an object, got ${kind(args)}`);
  }
  const spec = ARG_SPECS[op];
  const given = args as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in spec)) {
      const allowed = Object.keys(spec).join(', ') || 'none';
      throw new DiagnosticsError('BAD_REQUEST', `args: unknown argument ${JSON.stringify(key.slice(0, 40))} for ${op} (allowed: ${allowed})`);
    }
  }
  for (const [key, s] of Object.entries(spec)) {
    const v = given[key];
    if (v === undefined) {
      if (s.required) throw new DiagnosticsError('BAD_REQUEST', `args.${key}: expected ${s.type === 'string' ? 'a string' : `a number`}, got nothing (required for ${op})`);
      continue;
    }
    if (s.type === 'string') {
      if (typeof v !== 'string') throw new DiagnosticsError('BAD_REQUEST', `args.${key}: expected a string, got ${kind(v)}`);
      if (v.length > s.maxLength) throw new DiagnosticsError('BAD_REQUEST', `args.${key}: expected at most ${s.maxLength} characters, got ${v.length}`);
    } else {
      const ok = typeof v === 'number' && Number.isFinite(v) && (s.type === 'number' || Number.isInteger(v)) && v >= s.min && v <= s.max;
      if (!ok) {
        const what = s.type === 'integer' ? 'an integer' : 'a number';
        const got = typeof v === 'number' ? String(v) : kind(v);
        throw new DiagnosticsError('BAD_REQUEST', `args.${key}: expected ${what} from ${s.min} to ${s.max}, got ${got}`);
      }
    }
  }
  return given;
}

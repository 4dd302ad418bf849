/**
 * Behaviour specs as one-line text (`liftwatch simulate --behaviour`) and their checks
 * (shared with scenario validation):
 *
 *   KIND[:ARG...][@UNITS]
 *
 * ARG is a signal name (loose-contact, bad-door-limit, chatter), the controller code
 * (fault-code: the first number) or the duration in ms (any other number); UNITS a
 * comma-separated list of unit ids (default: every simulated lift). Examples:
 *   door-obstructed   loose-contact:doorZone:60000   bad-door-limit:doorOpenLimit@2   fault-code:120:10000
 */
import { BEHAVIOUR_KINDS, isBehaviourKind, SIGNAL_KINDS, type BehaviourSpec, type DoorLimit } from './behaviours.js';
import { SimError } from './errors.js';
import { BOOLEAN_SIGNALS, type BooleanSignal } from '../core/signals.js';

const DOOR_LIMITS: readonly string[] = ['doorOpenLimit', 'doorClosedLimit'];
const DEFAULT_SIGNAL: Record<(typeof SIGNAL_KINDS)[number], BooleanSignal> = {
  'chatter': 'safetyChain',
  'loose-contact': 'safetyChain',
  'bad-door-limit': 'doorClosedLimit',
};

export interface BehaviourArg {
  spec: BehaviourSpec;
  /** Unit ids it applies to; null: every simulated lift. */
  units: number[] | null;
}

/** What is wrong with a spec (e.g. read from a scenario file), or null when it is sound. */
export function behaviourProblem(spec: BehaviourSpec): string | null {
  if (!isBehaviourKind(spec.kind)) return `kind must be one of ${BEHAVIOUR_KINDS.join(', ')}`;
  if (spec.durationMs !== undefined && !(Number.isFinite(spec.durationMs) && spec.durationMs > 0)) return 'durationMs must be > 0';
  if (spec.kind === 'fault-code' && !(Number.isInteger(spec.code) && spec.code >= 0 && spec.code <= 0xffff)) return 'code must be 0..65535';
  if ('signal' in spec) {
    if (!(BOOLEAN_SIGNALS as readonly string[]).includes(spec.signal)) return `signal must be one of ${BOOLEAN_SIGNALS.join(', ')}`;
    if (spec.kind === 'bad-door-limit' && !DOOR_LIMITS.includes(spec.signal)) return 'signal must be doorOpenLimit or doorClosedLimit';
  }
  return null;
}

export function parseBehaviourArg(text: string): BehaviourArg {
  const bad = (why: string): never => {
    throw new SimError('SIM_BAD_BEHAVIOUR', `bad behaviour "${text}": ${why}`, { behaviour: text });
  };
  const [body = '', unitText] = text.trim().split('@');
  const units = unitText === undefined ? null : unitText.split(',').map((u) => Number(u.trim()));
  if (units?.some((u) => !Number.isInteger(u) || u < 1 || u > 247)) bad('units must be ids 1..247, e.g. @1,2');
  const [kind = '', ...args] = body.split(':');
  if (!isBehaviourKind(kind)) return bad(`kind must be one of ${BEHAVIOUR_KINDS.join(', ')}`);
  let signal: string | undefined;
  const numbers: number[] = [];
  for (const a of args) {
    if (/^\d+$/.test(a)) numbers.push(Number(a));
    else if (signal === undefined && (SIGNAL_KINDS as readonly string[]).includes(kind)) signal = a;
    else bad(`unexpected "${a}"`);
  }
  const code = kind === 'fault-code' ? numbers.shift() : undefined;
  if (kind === 'fault-code' && code === undefined) bad('fault-code needs the controller code, e.g. fault-code:120');
  if (numbers.length > 1) bad('one duration at most');
  const duration = numbers[0] !== undefined ? { durationMs: numbers[0] } : {};
  let spec: BehaviourSpec;
  if (kind === 'fault-code') spec = { kind, code: code ?? 0, ...duration };
  else if (kind === 'chatter') spec = { kind, signal: (signal ?? DEFAULT_SIGNAL[kind]) as BooleanSignal, ...duration };
  else if (kind === 'loose-contact') spec = { kind, signal: (signal ?? DEFAULT_SIGNAL[kind]) as BooleanSignal, ...duration };
  else if (kind === 'bad-door-limit') spec = { kind, signal: (signal ?? DEFAULT_SIGNAL[kind]) as DoorLimit, ...duration };
  else spec = { kind, ...duration };
  const problem = behaviourProblem(spec);
  if (problem) bad(problem);
  return { spec, units };
}

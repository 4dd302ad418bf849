/** Rules both outbox implementations share, so they cannot drift apart. */
import type { AlarmEvent, Lifecycle } from '../core/types.js';
import { PRIORITY } from '../ports/outbox.js';

/** Lower goes first: critical before major before minor before info (Kura's priority store). */
export function priorityOf(event: AlarmEvent): number {
  return PRIORITY[event.severity];
}

/** An alarm ends with `cleared` or, for EN 81-28 alarms, `end_of_alarm`. */
export function isTerminal(lifecycle: Lifecycle): boolean {
  return lifecycle === 'cleared' || lifecycle === 'end_of_alarm';
}

/**
 * Whether an alarm is active after this event. Ending is sticky: a late `acknowledged` after
 * `cleared` must not bring an ended alarm back (a new incident gets a new alarmId).
 */
export function activeAfter(wasActive: boolean | undefined, lifecycle: Lifecycle): boolean {
  if (isTerminal(lifecycle)) return false;
  return wasActive ?? true;
}

/** The stored payload: the caller's payload with the store's eventId and seq written in. */
export function withIds(
  payload: Record<string, unknown>,
  eventId: string,
  seq: number,
): Record<string, unknown> {
  // schema first for readability, then the ids, then the rest; ids always win.
  const out: Record<string, unknown> = { schema: payload['schema'], eventId, seq };
  for (const [k, v] of Object.entries(payload)) if (k !== 'eventId' && k !== 'seq') out[k] = v;
  return out;
}

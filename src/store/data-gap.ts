/**
 * The data_gap announcement: when the store is full and undelivered events must be
 * evicted, one data_gap event says what was lost, so a receiver never mistakes a gap in `seq`
 * for a network problem. A gateway's disk that grew without bound through a long outage
 * (thingsboard-gateway #2094: 45 GB) is why the disk is bounded at all; Kura's store is why
 * lifecycle messages like this one bypass the limit.
 *
 * Topic `<root>/data_gap`, QoS 1, not retained. Payload (docs/mqtt-api.md):
 * `{ schema, eventId, seq, gatewayId, site: {id, name}, from, to, count, priorities, at }`.
 */
import type { PriorityName } from '../ports/outbox.js';

export const DATA_GAP_SCHEMA = 'liftwatch.data_gap/1';

/** What the store must know to build the announcement (it knows no topics by itself). */
export interface DataGapContext {
  topic: string;
  gatewayId: string;
  site: { id: string; name: string };
}

/** Facts of one eviction pass. */
export interface GapFacts {
  from: number; // createdAt (wall ms) of the oldest evicted event
  to: number; // createdAt of the newest evicted event
  count: number;
  priorities: Partial<Record<PriorityName, number>>;
  at: number; // when the eviction happened
}

export function dataGapTopic(root: string): string {
  return `${root}/data_gap`;
}

/** The payload minus eventId and seq, which the store writes in (outbox-rules withIds). */
export function dataGapPayload(gap: GapFacts, ctx: DataGapContext): Record<string, unknown> {
  return {
    schema: DATA_GAP_SCHEMA,
    gatewayId: ctx.gatewayId,
    site: { id: ctx.site.id, name: ctx.site.name },
    from: new Date(gap.from).toISOString(),
    to: new Date(gap.to).toISOString(),
    count: gap.count,
    priorities: { ...gap.priorities },
    at: new Date(gap.at).toISOString(),
  };
}

/** Used when the caller gave no context (unit tests of the store alone). */
export const ANONYMOUS_GAP_CONTEXT: DataGapContext = { topic: 'data_gap', gatewayId: '', site: { id: '', name: '' } };

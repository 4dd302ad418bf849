/**
 * Listens to the agent for what diagnostics needs and the agent does not keep: the last raw
 * (undebounced) sample of each lift, and the TEST_CALL events committed, so `test-alarm` can
 * follow its own event to the broker's PUBACK.
 */
import type { SignalValues } from '../core/signals.js';
import type { AlarmEvent } from '../core/types.js';
import type { StoredEvent } from '../ports/outbox.js';
import type { PollResult } from '../field/bus-poller.js';

export interface RawSample {
  at: number; // wall ms
  values: SignalValues | null; // null when the last poll failed
  rttMs: number | null;
  error: string | null;
}

export interface Listenable {
  on(l: { event?: (s: StoredEvent, e: AlarmEvent) => void; poll?: (r: PollResult) => void }): () => void;
}

/** Test calls kept per lift: only the newest matter. */
const KEEP = 8;

/** Per lift: the last poll result as it came, and the last good values. */
interface Seen {
  last: PollResult;
  good: SignalValues | null;
}

export class DiagnosticsRecorder {
  // One record per lift, updated in place: a poll (320/s at the fastest schedule)
  // costs a lookup and two writes; the RawSample is built only when diagnostics asks.
  private readonly seen = new Map<string, Seen>();
  private readonly testCalls = new Map<string, StoredEvent[]>();

  /** Detaches the recorder from the agent (the diagnostics service's stop). */
  readonly detach: () => void;

  constructor(agent: Listenable) {
    this.detach = agent.on({
      poll: (r) => {
        const s = this.seen.get(r.liftId);
        if (s === undefined) this.seen.set(r.liftId, { last: r, good: r.ok ? r.values : null });
        else {
          s.last = r;
          if (r.ok) s.good = r.values;
        }
      },
      event: (s, e) => {
        if (e.code !== 'TEST_CALL') return;
        const list = this.testCalls.get(e.liftId) ?? [];
        list.push(s);
        if (list.length > KEEP) list.shift();
        this.testCalls.set(e.liftId, list);
      },
    });
  }

  rawOf(liftId: string): RawSample | null {
    const r = this.seen.get(liftId)?.last;
    if (r === undefined) return null;
    return r.ok
      ? { at: r.at.wall, values: r.values, rttMs: r.rttMs, error: null }
      : { at: r.at.wall, values: null, rttMs: null, error: `${r.error.code}: ${r.error.message}` };
  }

  lastGoodOf(liftId: string): SignalValues | null {
    return this.seen.get(liftId)?.good ?? null;
  }

  /** The first TEST_CALL event of the lift committed after `afterSeq`. */
  testCallAfter(liftId: string, afterSeq: number): StoredEvent | null {
    return (this.testCalls.get(liftId) ?? []).find((s) => s.seq > afterSeq) ?? null;
  }
}

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
  on(l: { event?: (s: StoredEvent, e: AlarmEvent) => void; poll?: (r: PollResult) => void }): void;
}

/** Test calls kept per lift: only the newest matter. */
const KEEP = 8;

export class DiagnosticsRecorder {
  private readonly raw = new Map<string, RawSample>();
  private readonly lastGood = new Map<string, SignalValues>();
  private readonly testCalls = new Map<string, StoredEvent[]>();

  constructor(agent: Listenable) {
    agent.on({
      poll: (r) => {
        if (r.ok) {
          this.raw.set(r.liftId, { at: r.at.wall, values: r.values, rttMs: r.rttMs, error: null });
          this.lastGood.set(r.liftId, r.values);
        } else {
          this.raw.set(r.liftId, { at: r.at.wall, values: null, rttMs: null, error: `${r.error.code}: ${r.error.message}` });
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
    return this.raw.get(liftId) ?? null;
  }

  lastGoodOf(liftId: string): SignalValues | null {
    return this.lastGood.get(liftId) ?? null;
  }

  /** The first TEST_CALL event of the lift committed after `afterSeq`. */
  testCallAfter(liftId: string, afterSeq: number): StoredEvent | null {
    return (this.testCalls.get(liftId) ?? []).find((s) => s.seq > afterSeq) ?? null;
  }
}

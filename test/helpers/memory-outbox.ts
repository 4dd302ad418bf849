/**
 * An in-memory Outbox with the same behaviour as SqliteOutbox, for unit tests of the parts
 * around it. Its state lives in a separate object so a test can "reopen" it (a new instance
 * over the same state), as the conformance suite does with the SQLite file.
 */
import type { AlarmEvent } from '../../src/core/types.js';
import type { Clock } from '../../src/ports/clock.js';
import { PRIORITY_NAMES, type MaintenanceReport, type Outbox, type OutboxStats, type PriorityName, type SeqRange, type StoredEvent } from '../../src/ports/outbox.js';
import { StoreError } from '../../src/store/errors.js';
import { activeAfter, priorityOf, withIds } from '../../src/store/outbox-rules.js';
import { newUuidV7 } from '../../src/platform/uuid-v7.js';

interface MemoryAlarm {
  active: boolean;
  lastEvent: AlarmEvent;
}

/** What survives a "reopen". */
export interface MemoryOutboxState {
  lastSeq: number;
  session: number;
  events: Map<number, StoredEvent & { deliveredAt: number | null }>;
  alarms: Map<string, MemoryAlarm>; // insertion order = first raised
}

export function newMemoryOutboxState(): MemoryOutboxState {
  return { lastSeq: 0, session: 0, events: new Map(), alarms: new Map() };
}

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryOutbox implements Outbox {
  private closed = false;
  private readonly state: MemoryOutboxState;
  private readonly clock: Clock | undefined;

  constructor(opts: { state?: MemoryOutboxState; clock?: Clock } = {}) {
    this.state = opts.state ?? newMemoryOutboxState();
    this.clock = opts.clock;
  }

  append(items: Array<{ event: AlarmEvent; topic: string; payload: Record<string, unknown> }>): StoredEvent[] {
    this.assertOpen();
    const createdAt = this.clock ? this.clock.now().wall : Date.now();
    return items.map(({ event, topic, payload }) => {
      const seq = ++this.state.lastSeq;
      const eventId = newUuidV7();
      const stored: StoredEvent = {
        seq,
        eventId,
        liftId: event.liftId,
        alarmId: event.alarmId,
        priority: priorityOf(event),
        topic,
        payload: withIds(clone(payload), eventId, seq),
        createdAt,
      };
      this.state.events.set(seq, { ...clone(stored), deliveredAt: null });
      const prev = this.state.alarms.get(event.alarmId);
      this.state.alarms.set(event.alarmId, { active: activeAfter(prev?.active, event.lifecycle), lastEvent: clone(event) });
      return stored;
    });
  }

  pending(limit: number, range: SeqRange = {}): StoredEvent[] {
    this.assertOpen();
    const after = range.afterSeq ?? 0;
    const upTo = range.upToSeq ?? Number.MAX_SAFE_INTEGER;
    return [...this.state.events.values()]
      .filter((e) => e.deliveredAt === null && e.seq > Math.max(after, range.afterSeqOf?.[e.priority] ?? 0) && e.seq <= upTo)
      .sort((a, b) => a.priority - b.priority || a.seq - b.seq)
      .slice(0, Math.max(0, Math.floor(limit)))
      .map(({ deliveredAt: _d, ...e }) => clone(e));
  }

  markDelivered(seqs: number[], at: number): void {
    this.assertOpen();
    for (const seq of seqs) {
      const e = this.state.events.get(seq);
      if (e && e.deliveredAt === null) e.deliveredAt = at;
    }
  }

  lastSeq(): number {
    this.assertOpen();
    return this.state.lastSeq;
  }

  stats(): OutboxStats {
    this.assertOpen();
    let pending = 0;
    let delivered = 0;
    let oldest: number | null = null;
    const pendingByPriority = Object.fromEntries(PRIORITY_NAMES.map((n) => [n, 0])) as Record<PriorityName, number>;
    for (const e of this.state.events.values()) {
      if (e.deliveredAt === null) {
        pending++;
        oldest = oldest === null ? e.createdAt : Math.min(oldest, e.createdAt);
        const name = PRIORITY_NAMES[e.priority];
        if (name) pendingByPriority[name]++;
      } else delivered++;
    }
    return { pending, oldestPendingAt: oldest, delivered, pendingByPriority, evictions: 0, dataGaps: 0, lastEvictionAt: null, fileBytes: 0 };
  }

  /** Memory is not disk: nothing is ever pruned or evicted here (the limits are SqliteOutbox's). */
  maintain(): MaintenanceReport {
    this.assertOpen();
    return { pruned: 0, evicted: 0, gap: null };
  }

  activeAlarms(): AlarmEvent[] {
    this.assertOpen();
    return [...this.state.alarms.values()].filter((a) => a.active).map((a) => clone(a.lastEvent));
  }

  alarmsRaisedSince(wall: number): AlarmEvent[] {
    this.assertOpen();
    return [...this.state.alarms.values()]
      .filter((a) => a.lastEvent.confirmedAt !== null && a.lastEvent.confirmedAt >= wall)
      .map((a) => clone(a.lastEvent));
  }

  nextSession(): number {
    this.assertOpen();
    return ++this.state.session;
  }

  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'memory outbox is closed', ':memory:');
  }
}

import type { AlarmEvent } from '../core/types.js';

/**
 * Priority of an outbox row: lower number goes first. A `data_gap` announcement is stored at
 * priority 0 (the top) and is exempt from eviction (Kura's message store: lifecycle messages
 * bypass the capacity limit). `lifecycle` is kept for rows that are never evicted either.
 */
export const PRIORITY = { critical: 0, major: 1, minor: 2, info: 3, lifecycle: 4 } as const;

/** Every priority a row can have, in delivery order. */
export const PRIORITY_VALUES: readonly number[] = [...new Set(Object.values(PRIORITY))].sort((a, b) => a - b);

/** The severities an alarm event can have, highest first. */
export type PriorityName = 'critical' | 'major' | 'minor' | 'info';
export const PRIORITY_NAMES: readonly PriorityName[] = ['critical', 'major', 'minor', 'info'];

/** One event as committed to the store. `payload` is the complete MQTT payload minus `historical`. */
export interface StoredEvent {
  seq: number; // per gateway, strictly increasing, persisted
  eventId: string; // globally unique, the same on every redelivery
  liftId: string; // '' for a data_gap
  alarmId: string; // '' for a data_gap
  priority: number;
  topic: string;
  payload: Record<string, unknown>;
  /**
   * `payload` as committed (its JSON text), when the store keeps it: the dispatcher sends it with
   * `historical` appended, without a parse, a copy and a stringify per delivery (the drain
   * benchmark, docs/performance.md).
   */
  payloadJson?: string;
  createdAt: number; // wall ms when committed
}

export interface OutboxStats {
  pending: number;
  oldestPendingAt: number | null;
  delivered: number;
  /** Undelivered alarm events by severity (data_gap rows are not counted here). */
  pendingByPriority: Record<PriorityName, number>;
  /** Undelivered events evicted for lack of space, total over the life of the file. */
  evictions: number;
  /** data_gap events emitted, total over the life of the file. */
  dataGaps: number;
  lastEvictionAt: number | null;
  /** Bytes on disk: the database file plus its WAL (0 for an in-memory outbox). */
  fileBytes: number;
}

/** What one maintenance pass did. */
export interface MaintenanceReport {
  /** Delivered events deleted (by age, then by size). */
  pruned: number;
  /** Undelivered events evicted (by size), announced by `gap`. */
  evicted: number;
  /** The data_gap event committed for this pass, or null when nothing was evicted. */
  gap: StoredEvent | null;
}

/**
 * Seq window of a `pending` query: seq > afterSeq and seq <= upToSeq. `afterSeqOf[priority]`,
 * when higher, raises the lower bound for rows of that priority only: the dispatcher's read
 * cursors (one per priority, src/uplink/dispatcher.ts), so a drain never re-reads the rows it
 * has already handed out.
 */
export interface SeqRange {
  afterSeq?: number;
  upToSeq?: number;
  afterSeqOf?: Readonly<Partial<Record<number, number>>>;
}

/**
 * The durable outbox. `append` commits the events (and the alarm-state change they describe)
 * in one transaction before anything is published; `markDelivered` is called on PUBACK.
 */
export interface Outbox {
  /** Commits events atomically; returns them with seq and eventId assigned. */
  append(items: Array<{ event: AlarmEvent; topic: string; payload: Record<string, unknown> }>): StoredEvent[];
  /** Undelivered events in delivery order (priority, then seq), at most `limit`, within `range`. */
  pending(limit: number, range?: SeqRange): StoredEvent[];
  /**
   * Records PUBACKs. `priorityOf` (the priority each seq was read with) lets a store record a
   * batch that covers exactly the next pending rows of a priority as one watermark instead of
   * a mark per row (SqliteOutbox); without it, or for any other batch, every row is marked.
   * Either way every seq given counts as delivered afterwards and nothing else does.
   */
  markDelivered(seqs: number[], at: number, priorityOf?: (seq: number) => number | undefined): void;
  /** The highest seq ever assigned (0 for an empty store); never decreases. */
  lastSeq(): number;
  stats(): OutboxStats;
  /**
   * Applies the retention limits now (the store also does so by itself after appends): prunes
   * delivered events by age and size, then evicts undelivered ones lowest priority first and
   * commits a data_gap event describing them.
   */
  maintain(): MaintenanceReport;
  /** Alarms raised and not yet ended, newest event per alarmId (to restore the core on start). */
  activeAlarms(): AlarmEvent[];
  /**
   * Alarms raised (confirmedAt) at or after `wall`, active or ended, newest event per alarmId
   * in the order they were first stored: the REPEATED_FAULT history the core is started with.
   */
  alarmsRaisedSince(wall: number): AlarmEvent[];
  /** Persistent counter incremented once per agent start (Sparkplug bdSeq-like). */
  nextSession(): number;
  close(): void;
}

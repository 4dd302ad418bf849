import type { AlarmEvent } from '../core/types.js';

/** Priority of an outbox row: lower number goes first. */
export const PRIORITY = { critical: 0, major: 1, minor: 2, info: 3, lifecycle: 4 } as const;

/** One event as committed to the store. `payload` is the complete MQTT payload minus `historical`. */
export interface StoredEvent {
  seq: number; // per gateway, strictly increasing, persisted
  eventId: string; // globally unique, the same on every redelivery
  liftId: string;
  alarmId: string;
  priority: number;
  topic: string;
  payload: Record<string, unknown>;
  createdAt: number; // wall ms when committed
}

export interface OutboxStats {
  pending: number;
  oldestPendingAt: number | null;
  delivered: number;
}

/**
 * The durable outbox. `append` commits the events (and the alarm-state change they describe)
 * in one transaction before anything is published; `markDelivered` is called on PUBACK.
 */
export interface Outbox {
  /** Commits events atomically; returns them with seq and eventId assigned. */
  append(items: Array<{ event: AlarmEvent; topic: string; payload: Record<string, unknown> }>): StoredEvent[];
  /** Undelivered events, oldest first (priority then seq), at most `limit`, with seq > afterSeq if given. */
  pending(limit: number): StoredEvent[];
  markDelivered(seqs: number[], at: number): void;
  stats(): OutboxStats;
  /** Alarms raised and not yet ended, newest event per alarmId (to restore the core on start). */
  activeAlarms(): AlarmEvent[];
  /** Persistent counter incremented once per agent start (Sparkplug bdSeq-like). */
  nextSession(): number;
  close(): void;
}

/**
 * Moves committed events from the outbox to the uplink. At-least-once: an event is marked
 * delivered only on its PUBACK (Kura's message store; node-red #2864: QoS 1 is not
 * durability), so a crash, a disconnect or mqtt.js dropping its in-memory queue can cause a
 * duplicate (same eventId) but never a loss. On every connect it resumes from the store.
 *
 * Order: outbox order (priority, then seq), issued one by one on a single connection with at
 * most `inflight` awaiting PUBACK; MQTT keeps the order of one connection ([MQTT-4.6.0-6]), so
 * within one priority each lift's events arrive in seq order, and a higher-severity event may
 * overtake a lower one during catch-up ("live alarms first"). Receivers order by `seq`.
 */
import type { Logger } from '../ports/logger.js';
import type { Outbox, StoredEvent } from '../ports/outbox.js';
import type { UplinkPort } from './mqtt-uplink.js';

export interface DispatcherOptions {
  outbox: Outbox;
  uplink: UplinkPort;
  logger: Logger;
  /** QoS 1 publishes awaiting PUBACK at once (UplinkConfig.inflight). */
  inflight: number;
  /** Wall clock in epoch ms (same clock as the outbox's createdAt). */
  now: () => number;
  /** Retry delay after a publish failed while still connected (default 1000 ms). */
  retryMs?: number;
}

export interface DispatcherCounters {
  published: number; // publishes issued (redeliveries included)
  acked: number; // PUBACKs received
  failed: number; // publishes rejected (disconnect before PUBACK, client error)
  lastPubackAt: number | null;
  inflight: number;
}

export class Dispatcher {
  private running = false;
  private generation = 0;
  private connectedAt: number | null = null;
  private readonly inFlight = new Set<number>();
  private readonly acked = new Set<number>();
  private flushScheduled: NodeJS.Immediate | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly counters: DispatcherCounters = { published: 0, acked: 0, failed: 0, lastPubackAt: null, inflight: 0 };
  private readonly onConnect = (): void => this.connected();
  private readonly onDisconnect = (): void => this.disconnected();

  constructor(private readonly opts: DispatcherOptions) {}

  get stats(): Readonly<DispatcherCounters> {
    return { ...this.counters, inflight: this.inFlight.size };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.opts.uplink.on('connect', this.onConnect);
    this.opts.uplink.on('disconnect', this.onDisconnect);
    if (this.opts.uplink.connected) this.connected();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.opts.uplink.off('connect', this.onConnect);
    this.opts.uplink.off('disconnect', this.onDisconnect);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = null;
    this.flushAcks(); // PUBACKs already received are worth recording
    this.generation++;
    this.connectedAt = null;
    this.inFlight.clear();
  }

  /** Call after every append: publishes new events at once when there is room. */
  kick(): void {
    this.pump();
  }

  private connected(): void {
    this.generation++;
    this.connectedAt = this.opts.now();
    this.inFlight.clear();
    this.pump();
  }

  private disconnected(): void {
    // Everything unacknowledged stays pending in the store and is resent on the next connect.
    this.generation++;
    this.connectedAt = null;
    this.inFlight.clear();
  }

  private pump(): void {
    const { outbox, uplink, inflight } = this.opts;
    if (!this.running || this.connectedAt === null || !uplink.connected) return;
    let room = Math.max(1, inflight) - this.inFlight.size;
    if (room <= 0) return;
    let batch: StoredEvent[];
    try {
      // Over-fetch by what we must skip: in flight, or acknowledged and not yet recorded.
      batch = outbox.pending(room + this.inFlight.size + this.acked.size);
    } catch (err) {
      this.opts.logger.error('cannot read the outbox', { error: (err as Error).message });
      return;
    }
    for (const e of batch) {
      if (room <= 0) break;
      if (this.inFlight.has(e.seq) || this.acked.has(e.seq)) continue;
      this.send(e, this.connectedAt);
      room--;
    }
  }

  private send(e: StoredEvent, connectedAt: number): void {
    const gen = this.generation;
    this.inFlight.add(e.seq);
    this.counters.published++;
    // Sparkplug's is_historical: committed before this connection came up.
    const payload = { ...e.payload, historical: e.createdAt < connectedAt };
    this.opts.uplink.publish(e.topic, payload).then(
      () => {
        // A PUBACK means the broker has it, whichever connection carried it.
        this.counters.acked++;
        this.counters.lastPubackAt = this.opts.now();
        this.acked.add(e.seq);
        if (gen === this.generation) this.inFlight.delete(e.seq);
        this.scheduleFlush();
      },
      (err: Error & { code?: string }) => {
        this.counters.failed++;
        if (gen !== this.generation) return; // the connection is gone; the next one resends
        this.inFlight.delete(e.seq);
        this.opts.logger.warn('event publish failed; will retry', { seq: e.seq, code: err.code, error: err.message });
        this.scheduleRetry();
      },
    );
  }

  /** Records PUBACKs in one transaction per turn of the event loop (one fsync, not one per ack). */
  private scheduleFlush(): void {
    if (this.flushScheduled || !this.running) return;
    this.flushScheduled = setImmediate(() => {
      this.flushScheduled = null;
      this.flushAcks();
      this.pump();
    });
  }

  private flushAcks(): void {
    if (this.acked.size === 0) return;
    const seqs = [...this.acked];
    try {
      this.opts.outbox.markDelivered(seqs, this.opts.now());
      this.acked.clear();
    } catch (err) {
      // Left pending: redelivered later as a duplicate, never lost.
      this.opts.logger.error('cannot record deliveries', { count: seqs.length, error: (err as Error).message });
      this.acked.clear();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.opts.retryMs ?? 1000);
  }
}

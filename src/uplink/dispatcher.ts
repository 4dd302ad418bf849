/**
 * Moves committed events from the outbox to the uplink. At-least-once: an event is marked
 * delivered only on its PUBACK (Kura's message store; node-red #2864: QoS 1 is not
 * durability), so a crash, a disconnect or mqtt.js dropping its in-memory queue can cause a
 * duplicate (same eventId) but never a loss. On every connect it resumes from the store.
 *
 * Live and backlog. At each connect the dispatcher notes the outbox's last seq: events
 * up to it are the BACKLOG (committed before this connection came up; sent with
 * `historical: true`, Sparkplug's is_historical), later ones are LIVE. Live events are never
 * paced; the backlog is paced at `backlogRatePerSec` (token bucket) so a reconnect after a long
 * outage does not flood the broker or the facility system. When the in-flight window has room
 * for only some candidates, the order is priority first, then live before backlog, then seq: a
 * live critical or major alarm overtakes the whole backlog, and a backlog critical still goes
 * before a live info event.
 *
 * Order per lift: MQTT keeps the order of one connection ([MQTT-4.6.0-6]), but priorities and
 * pacing mean a lift's events may arrive out of seq order (a live alarm before an older
 * backlog event, a redelivery after a reconnect). `seq` is strictly increasing per gateway:
 * receivers order by `seq` and deduplicate by `eventId` (docs/mqtt-api.md).
 *
 * Read cursors (found by the drain benchmark). A pump must not re-read the rows it has already handed
 * out: re-reading the in-flight and acknowledged-but-unrecorded rows from the start of the
 * backlog on every PUBACK flush made the drain parse ~room+inflight rows per event sent. So
 * each seq range (live, backlog) keeps one cursor PER PRIORITY: `after[p]` = the highest seq of
 * priority p handed out in this generation, and the next read asks only for rows of priority p
 * above it (SeqRange.afterSeqOf). One cursor per priority, not one seq cursor for all: the
 * window takes a critical with seq 110 before an info with seq 105, so a single "highest seq
 * sent" would skip 105 for good; per priority it cannot, because a cursor only ever passes
 * rows of its own priority. Invariant: every pending row of priority p at or below its range's
 * cursor is in flight or acknowledged-and-unrecorded. It holds because a read returns, per
 * priority, the rows in seq order from the cursor (Outbox.pending), and the candidate loop
 * hands out a prefix of each (range, priority) run (it stops at `room`; paced backlog rows
 * after the first one without a token are all skipped); rows committed later get a higher seq
 * (AUTOINCREMENT, one writer at a time), so they are never behind a cursor. Whenever a row at or
 * below a cursor can be pending and not in flight (a publish rejected while connected, a failed
 * markDelivered, a new connection), the cursors go back to the start and the pump over-fetches
 * by the in-flight and unrecorded rows that lie beyond them, as it did before cursors, until
 * none does. The order rules above are unchanged: cursors only leave out rows the pump would
 * have filtered out anyway.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Outbox, StoredEvent } from '../ports/outbox.js';
import type { UplinkPort } from '../ports/uplink.js';
import { withHistoricalJson } from './payload.js';

/** Longest wait before PUBACKs received are recorded (see Dispatcher.schedulePump). */
const FLUSH_DELAY_MS = 2;

export interface DispatcherOptions {
  outbox: Outbox;
  uplink: UplinkPort;
  logger: Logger;
  /** QoS 1 publishes awaiting PUBACK at once (UplinkConfig.inflight). */
  inflight: number;
  /** Delivery times (wall), pacing (monotonic) and every timer. */
  clock: Clock;
  /** Retry delay after a publish failed while still connected (default 1000 ms). */
  retryMs?: number;
  /** uplink.backlogRatePerSec: backlog events per second; 0 or absent = unpaced. */
  backlogRatePerSec?: number;
  /**
   * While connected, look at the outbox this often even without a kick (default 5000 ms): rows
   * committed without the agent (a data_gap from scheduled maintenance, another process such
   * as the CLI) go out within this delay.
   */
  idlePollMs?: number;
}

export interface DispatcherCounters {
  published: number; // publishes issued (redeliveries included)
  acked: number; // PUBACKs received
  failed: number; // publishes rejected (disconnect before PUBACK, client error)
  lastPubackAt: number | null;
  inflight: number;
  backlogSent: number; // backlog publishes issued (paced)
  liveSent: number; // live publishes issued (never paced)
}

/** Token bucket: `rate` tokens per second, at most `burst` saved up. */
class Pacer {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly mono: () => number,
  ) {
    this.tokens = burst;
    this.last = mono();
  }
  available(): number {
    const now = this.mono();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    return Math.floor(this.tokens);
  }
  take(): void {
    this.tokens -= 1;
  }
  /** ms until the next whole token. */
  waitMs(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }
}

export class Dispatcher {
  private running = false;
  private generation = 0;
  private up = false;
  /** Last seq committed before this connection came up: the end of the backlog. */
  private backlogEnd = 0;
  private pacer: Pacer | null = null;
  /** seq -> priority of the publishes awaiting PUBACK in this generation. */
  private readonly inFlight = new Map<number, number>();
  /** seq -> priority of the PUBACKs received and not yet recorded. */
  private readonly acked = new Map<number, number>();
  /** Read cursors, priority -> highest seq handed out (see "Read cursors" above). */
  private liveAfter: Partial<Record<number, number>> = {};
  private backlogAfter: Partial<Record<number, number>> = {};
  /** Some in-flight or unrecorded row may lie beyond its cursor: over-fetch by them. */
  private rewound = true;
  private pumpScheduled: NodeJS.Immediate | null = null;
  private flushTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private paceTimer: TimerHandle | null = null;
  private idleTimer: TimerHandle | null = null;
  private readonly counters: DispatcherCounters = {
    published: 0,
    acked: 0,
    failed: 0,
    lastPubackAt: null,
    inflight: 0,
    backlogSent: 0,
    liveSent: 0,
  };
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
    this.armIdlePoll();
    if (this.opts.uplink.connected) this.connected();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.opts.uplink.off('connect', this.onConnect);
    this.opts.uplink.off('disconnect', this.onDisconnect);
    this.clearTimers();
    this.flushAcks(); // PUBACKs already received are worth recording
    this.generation++;
    this.up = false;
    this.inFlight.clear();
  }

  /** Call after every append: publishes new events at once when there is room. */
  kick(): void {
    this.pump();
  }

  private connected(): void {
    this.generation++;
    this.up = true;
    this.inFlight.clear();
    this.rewind();
    try {
      this.backlogEnd = this.opts.outbox.lastSeq();
    } catch (err) {
      this.opts.logger.error('cannot read the outbox', { error: (err as Error).message });
      this.backlogEnd = Number.MAX_SAFE_INTEGER; // treat everything as backlog: paced, historical
    }
    const rate = this.opts.backlogRatePerSec ?? 0;
    // A burst of a tenth of a second's worth (at least 1, at most the window) starts the drain.
    const burst = Math.max(1, Math.min(Math.max(1, this.opts.inflight), Math.ceil(rate / 10)));
    this.pacer = rate > 0 ? new Pacer(rate, burst, () => this.opts.clock.now().mono) : null;
    this.pump();
  }

  private disconnected(): void {
    // Everything unacknowledged stays pending in the store and is resent on the next connect.
    this.generation++;
    this.up = false;
    this.inFlight.clear();
    if (this.paceTimer) this.opts.clock.clearTimeout(this.paceTimer);
    this.paceTimer = null;
  }

  private pump(): void {
    const { outbox, uplink, inflight } = this.opts;
    if (!this.running || !this.up || !uplink.connected) return;
    let room = Math.max(1, inflight) - this.inFlight.size;
    if (room <= 0) return;
    // Over-fetch by what we must skip: in flight, or acknowledged and not yet recorded, beyond
    // the cursors (none while the cursors are exact).
    const skip = this.skipsAhead();
    let tokens = this.pacer ? this.pacer.available() : Number.POSITIVE_INFINITY;
    let live: StoredEvent[];
    let backlog: StoredEvent[];
    try {
      live = outbox.pending(room + skip, { afterSeq: this.backlogEnd, afterSeqOf: this.liveAfter });
      backlog =
        tokens >= 1 ? outbox.pending(Math.min(room, tokens) + skip, { upToSeq: this.backlogEnd, afterSeqOf: this.backlogAfter }) : [];
    } catch (err) {
      this.opts.logger.error('cannot read the outbox', { error: (err as Error).message });
      return;
    }
    const candidates = [...live, ...backlog]
      .filter((e) => !this.inFlight.has(e.seq) && !this.acked.has(e.seq))
      .sort((a, b) => a.priority - b.priority || this.isBacklog(a) - this.isBacklog(b) || a.seq - b.seq);
    let backlogWaiting = false;
    for (const e of candidates) {
      if (room <= 0) break;
      const historical = this.isBacklog(e) === 1;
      if (historical) {
        if (tokens < 1) {
          backlogWaiting = true;
          continue; // live events further down still go
        }
        tokens--;
        this.pacer?.take();
        this.counters.backlogSent++;
      } else this.counters.liveSent++;
      this.send(e, historical);
      room--;
    }
    if (this.pacer && (backlogWaiting || (tokens < 1 && backlog.length === 0 && room > 0))) this.schedulePace();
  }

  /** Cursors back to the start of both ranges: the next reads see every pending row again. */
  private rewind(): void {
    this.liveAfter = {};
    this.backlogAfter = {};
    this.rewound = true;
  }

  /** In-flight or unrecorded rows a read from the cursors can return (0 while they are exact). */
  private skipsAhead(): number {
    if (!this.rewound) return 0;
    let n = 0;
    for (const m of [this.inFlight, this.acked]) {
      for (const [seq, priority] of m) {
        const after = seq <= this.backlogEnd ? this.backlogAfter[priority] : this.liveAfter[priority];
        if (seq > (after ?? 0)) n++;
      }
    }
    // Cursors exact again once nothing lies beyond them: rows handed out from now on move the
    // cursor past themselves (send).
    if (n === 0) this.rewound = false;
    return n;
  }

  private isBacklog(e: StoredEvent): 0 | 1 {
    return e.seq <= this.backlogEnd ? 1 : 0;
  }

  private send(e: StoredEvent, historical: boolean): void {
    const gen = this.generation;
    this.inFlight.set(e.seq, e.priority);
    const after = historical ? this.backlogAfter : this.liveAfter;
    if (e.seq > (after[e.priority] ?? 0)) after[e.priority] = e.seq;
    this.counters.published++;
    // Sparkplug's is_historical: committed before this connection came up. The stored text as it
    // is when the store has it (no parse, copy and stringify per event: the drain benchmark), same
    // bytes.
    const payload = e.payloadJson !== undefined ? withHistoricalJson(e.payloadJson, historical) : { ...e.payload, historical };
    this.opts.uplink.publish(e.topic, payload).then(
      () => {
        // A PUBACK means the broker has it, whichever connection carried it.
        this.counters.acked++;
        this.counters.lastPubackAt = this.opts.clock.now().wall;
        this.acked.set(e.seq, e.priority);
        if (gen === this.generation) this.inFlight.delete(e.seq);
        else this.rewound = true; // an older connection's row: possibly beyond today's cursors
        this.schedulePump();
      },
      (err: Error & { code?: string }) => {
        this.counters.failed++;
        if (gen !== this.generation) return; // the connection is gone; the next one resends
        this.inFlight.delete(e.seq);
        this.rewind(); // it is pending again, at or below its cursor
        this.opts.logger.warn('event publish failed; will retry', { seq: e.seq, code: err.code, error: err.message });
        this.scheduleRetry();
      },
    );
  }

  /**
   * After PUBACKs: refill the window once per turn of the event loop, THEN record them. The
   * callback used to commit first and pump after, so the window waited for the commit (the drain
   * benchmark found it).
   * Now the pump goes first and the recording runs on a later process.nextTick: mqtt.js queues
   * the socket write of a publish with nextTick too (mqtt-packet writeToStream: cork, then
   * uncork on nextTick), earlier in the same FIFO, so the publishes are on the wire and the
   * broker works while SQLite commits. Recording also waits for a batch (half the window, or
   * nothing left in flight, or FLUSH_DELAY_MS after the first unrecorded PUBACK): a commit costs
   * per commit and per page, and rows of one priority are spread over the pages, so small
   * commits cost the most per row. Until recorded an acknowledged row stays in `acked` and is
   * never re-sent; a crash meanwhile only means a duplicate (same eventId), never a loss.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || !this.running) return;
    this.pumpScheduled = setImmediate(() => {
      this.pumpScheduled = null;
      this.pump();
      process.nextTick(() => this.scheduleFlush());
    });
  }

  /** Records PUBACKs in one transaction per batch (one commit, not one per ack); see schedulePump. */
  private scheduleFlush(): void {
    if (this.acked.size === 0 || !this.running) return;
    if (this.acked.size >= Math.max(1, Math.ceil(this.opts.inflight / 2)) || this.inFlight.size === 0) {
      this.flushNow();
    } else if (!this.flushTimer) {
      this.flushTimer = this.opts.clock.setTimeout(() => this.flushNow(), FLUSH_DELAY_MS);
    }
  }

  private flushNow(): void {
    if (this.flushTimer) this.opts.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushAcks();
    this.pump(); // rows pending again after a failed recording, or room a kick left unused
  }

  private flushAcks(): void {
    if (this.acked.size === 0) return;
    const seqs = [...this.acked.keys()];
    try {
      // With each row's priority, so the store can record an in-order batch as one watermark.
      const acked = this.acked;
      this.opts.outbox.markDelivered(seqs, this.opts.clock.now().wall, (seq) => acked.get(seq));
      this.acked.clear();
    } catch (err) {
      // Left pending: redelivered later as a duplicate, never lost.
      this.opts.logger.error('cannot record deliveries', { count: seqs.length, error: (err as Error).message });
      this.acked.clear();
      this.rewind(); // they are pending again, at or below their cursors
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.opts.retryMs ?? 1000);
  }

  /** Wakes the pump when the next backlog token is due. */
  private schedulePace(): void {
    if (this.paceTimer || !this.running || !this.pacer) return;
    this.paceTimer = this.opts.clock.setTimeout(() => {
      this.paceTimer = null;
      this.pump();
    }, this.pacer.waitMs());
  }

  /** Looks at the outbox every idlePollMs while running (one timer, re-armed after each look). */
  private armIdlePoll(): void {
    this.idleTimer = this.opts.clock.setTimeout(() => {
      this.idleTimer = null;
      if (!this.running) return;
      this.pump();
      this.armIdlePoll();
    }, this.opts.idlePollMs ?? 5000);
  }

  private clearTimers(): void {
    if (this.retryTimer) this.opts.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.paceTimer) this.opts.clock.clearTimeout(this.paceTimer);
    this.paceTimer = null;
    if (this.idleTimer) this.opts.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.flushTimer) this.opts.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pumpScheduled) clearImmediate(this.pumpScheduled);
    this.pumpScheduled = null;
  }
}

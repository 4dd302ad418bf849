/**
 * The agent: wires field → core → store → uplink. It owns the core's state and is the only
 * place that performs the core's effects, in this order: the events of one step are
 * committed to SQLite in one transaction, and only then does the core's new state take
 * effect and the dispatcher publish (nothing is published that is not stored first).
 */
import type { Config, DeviceProfile } from '../config/types.js';
import { initialState, repeatWindowMs, snapshots, step, wholeMs, type CoreConfig, type CoreState } from '../core/engine.js';
import type { AlarmEvent, CoreInput, EndOfAlarmSource, IdSource, LiftSnapshot } from '../core/types.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Outbox, StoredEvent } from '../ports/outbox.js';
import { BusPoller, type BusStats, type PollResult } from '../field/bus-poller.js';
import type { ModbusLink } from '../ports/modbus-link.js';
import { buildReadPlan } from '../field/read-plan.js';
import type { ByteStream } from '../ports/byte-stream.js';
import { FramesBusReader } from '../field/frames/frames-reader.js';
import { compileProtocol } from '../protocol/frames/protocol.js';
import { eventPayload, statePayload } from '../uplink/payload.js';
import { eventTopic, stateTopic } from '../uplink/topics.js';
import type { UplinkLifecycle } from '../ports/uplink.js';
import { stableValues } from '../core/debounce.js';
import type { SignalValues } from '../core/signals.js';
import { liftContexts, type LiftContext } from './lift-directory.js';
import { logCoverage } from './coverage-log.js';

export interface AgentDeps {
  config: Config;
  profiles: Map<string, DeviceProfile>;
  clock: Clock;
  logger: Logger;
  ids: IdSource;
  outbox: Outbox;
  uplink: UplinkLifecycle;
  linkFor: (busId: string) => ModbusLink;
  /** The byte stream of a serial-frames bus; needed only when the config has one. */
  streamFor?: (busId: string) => ByteStream;
  /** Whether the wall clock is synchronized; stamped on every event as `clockSynced`. */
  clockSynced?: () => boolean;
  /** Starts/stops delivery from the outbox; `kick` after each commit. */
  dispatcher: { start(): void; stop(): void | Promise<void>; kick(): void };
}

export type AgentListener = {
  event?: (stored: StoredEvent, event: AlarmEvent) => void;
  snapshot?: (snapshot: LiftSnapshot) => void;
  poll?: (result: PollResult) => void;
};

export class Agent {
  private state: CoreState | null = null;
  private readonly coreConfig: CoreConfig;
  private readonly contexts: Map<string, LiftContext>;
  private pollers: Array<BusPoller | FramesBusReader> = [];
  private tickTimer: TimerHandle | null = null;
  /** The core deadline (mono ms) `tickTimer` is armed for. */
  private tickAt: number | null = null;
  private readonly listeners: AgentListener[] = [];
  private running = false;
  private readonly root: string;
  startedAt: number | null = null;
  /** Watchdog: mono ms of the last poll result per bus, success or failure. */
  private readonly lastPollMono = new Map<string, number>();
  /** Lift id -> bus id, for the per-poll watchdog bookkeeping. */
  private readonly busOfLift: Map<string, string>;

  constructor(private readonly deps: AgentDeps) {
    const { config } = deps;
    this.coreConfig = {
      lifts: config.lifts.map((l) => ({
        id: l.id, pollIntervalMs: l.pollIntervalMs, landings: l.landings.length,
        // The lift's own rule tuning, and its profile's controller fault table (faultCodes).
        ...(l.rules ? { rules: l.rules } : {}),
        faultCodes: Object.fromEntries(
          Object.entries(deps.profiles.get(l.profile)?.faultCodes ?? {}).map(([raw, e]) => [Number(raw), e.code]),
        ),
      })),
      rules: config.rules,
      ...(config.debounce ? { debounce: config.debounce } : {}),
    };
    this.contexts = liftContexts(config);
    this.busOfLift = new Map(config.lifts.map((l) => [l.id, l.bus] as const));
    this.root = `${config.uplink.topicPrefix}/${config.site.id}/${config.gateway.id}`;
  }

  /** Adds a listener; the function returned removes it (whoever adds one removes it at its stop). */
  on(listener: AgentListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Listeners still attached (diagnostics and tests: a stopped side door leaves none behind). */
  get listenerCount(): number {
    return this.listeners.length;
  }

  async start(): Promise<void> {
    const { config, clock, outbox, logger } = this.deps;
    const now = clock.now();
    this.startedAt = now.wall;
    const restored = outbox.activeAlarms();
    if (restored.length) logger.info('restored active alarms from the store', { count: restored.length });
    // REPEATED_FAULT counts the same fault across restarts: its raises are read back from the store.
    const history = outbox.alarmsRaisedSince(now.wall - repeatWindowMs(this.coreConfig));
    this.state = initialState(this.coreConfig, now, restored, history);
    this.running = true;
    this.deps.uplink.start();
    this.deps.dispatcher.start();
    // Initial step: publishes every lift's first snapshot and arms the first deadline.
    this.feed({ kind: 'tick', at: now });
    for (const bus of config.buses) {
      if (bus.type === 'serial-frames') {
        // Plain status frames. Same PollResults as the Modbus poller, so the core is unchanged.
        const onBus = config.lifts.filter((l) => l.bus === bus.id);
        const first = onBus[0];
        if (!first) continue;
        const profile = this.deps.profiles.get(first.profile);
        if (!profile) throw new Error(`profile ${first.profile} of lift ${first.id} was not loaded`);
        if (!this.deps.streamFor) throw new Error(`no byte stream for serial-frames bus ${bus.id}`);
        const lifts = onBus.map((l) => ({ id: l.id, unitId: l.unitId, pollIntervalMs: l.pollIntervalMs }));
        const reader = new FramesBusReader(bus, this.deps.streamFor(bus.id), compileProtocol(profile), lifts, clock,
          logger.child(`bus:${bus.id}`), (r) => this.onPoll(r));
        this.pollers.push(reader);
        reader.start();
        continue;
      }
      const lifts = config.lifts
        .filter((l) => l.bus === bus.id)
        .map((l) => {
          const profile = this.deps.profiles.get(l.profile);
          if (!profile) throw new Error(`profile ${l.profile} of lift ${l.id} was not loaded`);
          return { id: l.id, unitId: l.unitId, pollIntervalMs: l.pollIntervalMs, plan: buildReadPlan(profile, l) };
        });
      if (!lifts.length) continue;
      const poller = new BusPoller(bus, this.deps.linkFor(bus.id), lifts, clock, logger.child(`bus:${bus.id}`), (r) =>
        this.onPoll(r),
      );
      this.pollers.push(poller);
      poller.start();
    }
    logger.info('agent started', { lifts: config.lifts.length, buses: this.pollers.length, root: this.root });
    logCoverage(config, this.deps.profiles, logger); // once per lift: the codes its wiring cannot detect
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.pollers.map((p) => p.stop()));
    this.pollers = [];
    if (this.tickTimer) this.deps.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    await this.deps.dispatcher.stop();
    await this.deps.uplink.stop();
    this.deps.outbox.close();
    this.deps.logger.info('agent stopped');
  }

  /** EN 81-28: end of alarm given on site (input or CLI) or by remote reset. */
  endOfAlarm(liftId: string, source: EndOfAlarmSource, by?: string): void {
    this.feed({ kind: 'endOfAlarm', liftId, source, at: this.deps.clock.now(), ...(by ? { by } : {}) });
  }

  acknowledge(alarmId: string, by?: string): void {
    this.feed({ kind: 'acknowledge', alarmId, at: this.deps.clock.now(), ...(by ? { by } : {}) });
  }

  /** EN 81-28 test call (at least every 3 days) through the whole chain; `remote` = MQTT request. */
  testCall(liftId: string, source: 'schedule' | 'cli' | 'remote'): void {
    this.feed({ kind: 'testCall', liftId, source, at: this.deps.clock.now() });
  }

  /** Mono ms of each bus's last poll result, null before its first (the watchdog's health checks). */
  lastPollByBus(): Map<string, number | null> {
    const out = new Map<string, number | null>();
    for (const l of this.deps.config.lifts) out.set(l.bus, this.lastPollMono.get(l.bus) ?? null);
    return out;
  }

  busStats(): BusStats[] {
    return this.pollers.map((p) => p.stats());
  }

  snapshots(): LiftSnapshot[] {
    return this.state ? snapshots(this.state) : [];
  }

  /** The debounced signal values of a lift as the core holds them (diagnostics). */
  signalValues(liftId: string): SignalValues | null {
    const lift = this.state?.lifts.find((l) => l.id === liftId);
    return lift ? stableValues(lift.tracks) : null;
  }

  private onPoll(r: PollResult): void {
    if (!this.running) return;
    for (const l of this.listeners) l.poll?.(r);
    const busId = this.busOfLift.get(r.liftId);
    if (busId) this.lastPollMono.set(busId, r.at.mono);
    // Whole milliseconds here, as the core counts them: else the core copies the input to round it.
    if (r.ok) this.feed({ kind: 'sample', liftId: r.liftId, at: wholeMs(r.at), values: r.values });
    else this.feed({ kind: 'pollFailed', liftId: r.liftId, at: r.at, reason: `${r.error.code}: ${r.error.message}` });
  }

  private feed(input: CoreInput): void {
    if (!this.state || !this.running) return;
    const result = step(this.coreConfig, this.state, input, this.deps.ids);
    if (result.effects.length === 0) {
      // Most samples of a busy bus (the unchanged-sample shortcut): nothing to store or publish.
      this.state = result.state;
      if (result.nextDeadline !== null) this.armDeadline(result.nextDeadline);
      return;
    }
    const events: AlarmEvent[] = [];
    const snaps: LiftSnapshot[] = [];
    for (const e of result.effects) {
      if (e.type === 'event') events.push(e.event);
      else snaps.push(e.snapshot);
    }
    let stored: StoredEvent[] = [];
    if (events.length) {
      try {
        stored = this.deps.outbox.append(events.map((event) => this.outboxItem(event)));
      } catch (err) {
        // Not committed, so not adopted: the core keeps its previous state and derives the
        // same events again from the next input. Nothing is published that is not stored.
        this.deps.logger.error('could not commit alarm events; will retry on the next input', {
          error: String(err),
          codes: events.map((e) => `${e.liftId}:${e.code}:${e.lifecycle}`),
        });
        this.armDeadline(this.deps.clock.now().mono + 1000);
        return;
      }
    }
    this.state = result.state;
    if (stored.length) this.deps.dispatcher.kick();
    stored.forEach((s, i) => {
      const ev = events[i];
      if (ev) for (const l of this.listeners) l.event?.(s, ev);
    });
    for (const snap of snaps) this.publishSnapshot(snap);
    if (result.nextDeadline !== null) this.armDeadline(result.nextDeadline);
  }

  private outboxItem(event: AlarmEvent): { event: AlarmEvent; topic: string; payload: Record<string, unknown> } {
    const ctx = this.context(event.liftId);
    if (this.deps.clockSynced) event = { ...event, clockSynced: this.deps.clockSynced() };
    return { event, topic: eventTopic(this.root, event.liftId), payload: eventPayload(event, ctx) };
  }

  private publishSnapshot(snap: LiftSnapshot): void {
    const ctx = this.context(snap.liftId);
    this.deps.uplink.setRetained(stateTopic(this.root, snap.liftId), statePayload(snap, ctx, this.deps.clock.now().wall));
    for (const l of this.listeners) l.snapshot?.(snap);
  }

  private context(liftId: string): LiftContext {
    const ctx = this.contexts.get(liftId);
    if (!ctx) throw new Error(`unknown lift ${liftId}`);
    return ctx;
  }

  private armDeadline(mono: number): void {
    // Most steps return the deadline already armed (another lift's pending confirm, say):
    // keep that timer instead of replacing it on every poll (the field-bus benchmark showed its cost).
    if (this.tickTimer && this.tickAt === mono) return;
    if (this.tickTimer) this.deps.clock.clearTimeout(this.tickTimer);
    this.tickAt = mono;
    const delay = Math.max(0, mono - this.deps.clock.now().mono);
    this.tickTimer = this.deps.clock.setTimeout(() => {
      this.tickTimer = null;
      this.feed({ kind: 'tick', at: this.deps.clock.now() });
    }, delay + 1);
  }
}

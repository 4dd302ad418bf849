/**
 * The simulator facade: simulated lifts (one Modbus unit each), the transports serving them,
 * a scenario script, and the one real timer that drives simulated time.
 */
import { performance } from 'node:perf_hooks';
import { SimError } from './errors.js';
import type { LiftTiming } from './lift-model.js';
import type { TrafficProfile } from './traffic.js';
import { ScenarioPlayer, validateScenario, type Scenario, type ScenarioStep } from './scenario.js';
import { SerialSlaveServer } from './serial-server.js';
import { SimulatedLift } from './simulated-lift.js';
import { SlaveLink, type Framing, type SlaveLinkStats } from './slave-link.js';
import { TcpSlaveServer } from './tcp-server.js';
import { FramesLink, type FramesProtocolName } from './frames/frames-link.js';
import { FramesSerialServer } from './frames/frames-serial-server.js';

export { parseSimTarget } from './sim-target.js';

export interface SimulatorOptions {
  lifts: Array<{ unitId: number; landings: number; seed?: number; traffic?: TrafficProfile; timing?: Partial<LiftTiming>; startFloor?: number }>;
  /**
   * Model step and real timer period: default 50 ms, 10 ms when a lift's contacts bounce (a
   * bounce interval is 20-150 ms; a coarser step would hide most of it from a poll).
   */
  tickMs?: number;
  scenario?: Scenario;
  logger?: (line: string) => void;
}

export interface SimStats {
  simulatedMs: number;
  units: Array<{ unitId: number; requestsServed: number; faultsInjected: number; trips: number; behaviours: string[] }>;
  link: SlaveLinkStats;
}

/** Real time is clamped per timer tick so a suspended process does not replay minutes at once. */
const MAX_CATCH_UP_MS = 1000;

export class Simulator {
  private readonly lifts = new Map<number, SimulatedLift>();
  private readonly tickMs: number;
  private readonly player: ScenarioPlayer | null;
  private readonly logger: ((line: string) => void) | undefined;
  private readonly links: SlaveLink[] = [];
  private readonly servers: Array<{ stop(): Promise<void> }> = [];
  private timer: NodeJS.Timeout | null = null;
  private simulatedMs = 0;

  constructor(opts: SimulatorOptions) {
    this.tickMs = opts.tickMs ?? (opts.lifts.some((l) => l.traffic?.bounce) ? 10 : 50);
    this.logger = opts.logger;
    if (!(this.tickMs > 0)) throw new SimError('SIM_BAD_CONFIG', 'tickMs must be > 0', { tickMs: this.tickMs });
    if (opts.scenario) validateScenario(opts.scenario);
    this.player = opts.scenario ? new ScenarioPlayer(opts.scenario) : null;
    const autoTrips = opts.scenario?.autoTrips ?? true;
    for (const l of opts.lifts) {
      if (!Number.isInteger(l.unitId) || l.unitId < 1 || l.unitId > 247) {
        throw new SimError('SIM_BAD_CONFIG', `unit id ${l.unitId} must be 1..247`, { unitId: l.unitId });
      }
      if (!Number.isInteger(l.landings) || l.landings < 1) {
        throw new SimError('SIM_BAD_CONFIG', `unit ${l.unitId}: landings must be >= 1`, { unitId: l.unitId });
      }
      if (this.lifts.has(l.unitId)) {
        throw new SimError('SIM_DUPLICATE_UNIT', `unit id ${l.unitId} is used twice`, { unitId: l.unitId });
      }
      this.lifts.set(
        l.unitId,
        new SimulatedLift({ ...l, autoTrips, ...(this.logger ? { logger: this.logger } : {}) }),
      );
    }
  }

  lift(unitId: number): SimulatedLift {
    const lift = this.lifts.get(unitId);
    if (!lift) throw new SimError('SIM_UNKNOWN_UNIT', `no simulated lift with unit id ${unitId}`, { unitId });
    return lift;
  }

  units(): number[] {
    return [...this.lifts.keys()];
  }

  /** Advances simulated time by `ms` in `tickMs` steps: scenario steps first, then the models. */
  advance(ms: number): void {
    let left = ms;
    while (left > 0) {
      const dt = Math.min(left, this.tickMs);
      for (const step of this.player?.advance(dt) ?? []) this.apply(step);
      for (const lift of this.lifts.values()) lift.step(dt);
      this.simulatedMs += dt;
      left -= dt;
    }
  }

  async listenTcp(opts: { host: string; port: number; framing: Framing }): Promise<{ port: number }> {
    const server = new TcpSlaveServer({ host: opts.host, port: opts.port, link: this.newLink(opts.framing), ...this.log() });
    const bound = await server.start();
    this.servers.push(server);
    return bound;
  }

  async openSerial(opts: { path: string; baudRate?: number }): Promise<void> {
    const server = new SerialSlaveServer({ ...opts, link: this.newLink('rtu'), ...this.log() });
    await server.start();
    this.servers.push(server);
  }

  /**
   * Serves the lifts over a plain-frames line (a controller that speaks no Modbus): `ascii`
   * prints status lines every `periodMs` (a fault-printer port), `binary` answers enquiry frames.
   */
  async openFramesSerial(opts: { path: string; baudRate?: number; protocol: FramesProtocolName; periodMs?: number; ptyPeer?: string }): Promise<void> {
    const link = new FramesLink({
      protocol: opts.protocol,
      resolve: (unit) => this.lifts.get(unit),
      units: () => this.units(),
      seed: this.servers.length + 101,
    });
    const server = new FramesSerialServer({ path: opts.path, link, ...(opts.baudRate ? { baudRate: opts.baudRate } : {}),
      ...(opts.periodMs ? { periodMs: opts.periodMs } : {}), ...(opts.ptyPeer ? { ptyPeer: opts.ptyPeer } : {}), ...this.log() });
    await server.start();
    this.servers.push(server);
  }

  /** Starts ticking the models in real time. The only timer of the simulator. */
  start(): void {
    if (this.timer) return;
    // Whole milliseconds only: fractional steps accumulate float error in the scenario clock.
    let last = Math.floor(performance.now());
    this.timer = setInterval(() => {
      const now = Math.floor(performance.now());
      const elapsed = Math.min(MAX_CATCH_UP_MS, now - last);
      last = now;
      if (elapsed > 0) this.advance(elapsed);
    }, this.tickMs);
  }

  /** Stops the timer and closes every server, socket and port. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => s.stop()));
  }

  stats(): SimStats {
    const link: SlaveLinkStats = { requests: 0, unknownUnit: 0, crcErrors: 0, discardedBytes: 0 };
    for (const l of this.links) {
      const s = l.stats();
      link.requests += s.requests;
      link.unknownUnit += s.unknownUnit;
      link.crcErrors += s.crcErrors;
      link.discardedBytes += s.discardedBytes;
    }
    return {
      simulatedMs: this.simulatedMs,
      units: [...this.lifts.values()].map((l) => ({
        unitId: l.unitId,
        requestsServed: l.requestsServed,
        faultsInjected: l.faultsInjected,
        trips: l.model.trips,
        behaviours: l.behaviours().map((b) => b.kind),
      })),
      link,
    };
  }

  private apply(step: ScenarioStep): void {
    const lift = this.lifts.get(step.unit);
    if (!lift) {
      this.logger?.(`scenario: no unit ${step.unit}, step at ${step.at} ms skipped`);
      return;
    }
    if (step.action === 'inject') lift.inject(step.behaviour);
    else if (step.action === 'remove') lift.remove(step.kind);
    else lift.call(step.landing);
  }

  private newLink(framing: Framing): SlaveLink {
    const link = new SlaveLink({
      framing,
      resolve: (unit) => this.lifts.get(unit),
      seed: this.links.length + 1,
      ...this.log(),
    });
    this.links.push(link);
    return link;
  }

  private log(): { logger?: (line: string) => void } {
    return this.logger ? { logger: this.logger } : {};
  }
}

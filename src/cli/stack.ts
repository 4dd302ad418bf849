/**
 * Starts what `liftwatch run` and `liftwatch demo` run: the embedded broker when the config
 * enables it, the agent, and (for the demo) the simulator behind every bus. Returns one
 * `stop()` that releases everything in reverse order.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import { composeAgent, type Composed } from '../agent/compose.js';
// The embedded broker (aedes) and the simulator are loaded only when this start uses them: a
// site with its own broker never holds aedes in memory (docs/performance.md, footprint).
import type { EmbeddedBroker } from '../broker/embedded.js';
import type { Logger } from '../ports/logger.js';
import type { Simulator } from '../sim/simulator.js';
import type { ScenarioName } from '../sim/scenarios.js';
import { liftContexts } from '../agent/lift-directory.js';
import { formatEvent } from './present.js';
import { Operations } from '../agent/operations.js';
import { SystemClock, SystemClockSync } from '../platform/system-clock.js';
import type { Notifier } from '../platform/sd-notify.js';
import { footprint, stage } from './start-guard.js';
import { firstPolls } from '../agent/first-polls.js';

/** Longest the first health message waits for every lift's first poll (a bus may take its time to fail). */
const FIRST_HEALTH_BOUND_MS = 15_000;

export interface StackOptions {
  config: Config;
  profiles: Map<string, DeviceProfile>;
  logger: Logger;
  /** Serve every bus of the config from liftwatch's simulator (the demo). */
  simulate?: { scenario: ScenarioName; seed?: number };
  /** Where readable alarm lines go (stdout by default); null for none. */
  print?: ((line: string) => void) | null;
  colour?: boolean;
  /** systemd notifications (READY is the caller's; the watchdog is fed from here). */
  notifier?: Notifier;
  /** Scheduled jobs and watchdog (default true). */
  operations?: boolean;
}

export interface Stack {
  composed: Composed;
  broker: EmbeddedBroker | null;
  simulator: Simulator | null;
  /** Scheduled jobs and watchdog, null when switched off. */
  operations: Operations | null;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { config, logger } = opts;
  const started: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of started.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error('error while stopping', { error: String(err) });
      }
    }
    started.length = 0;
  };
  // What this attempt may create, noted before anything is: a failed start removes it again.
  const created = footprint(config);
  try {
    // Start order: open and bind everything that can fail first, each step naming its key; only
    // then start the agent, which polls and publishes. Nothing is published before the database
    // is open, the broker listens and the diagnostics sockets are bound.
    const clockSync = new SystemClockSync();
    const composed = await stage(['storage', 'path'], `an SQLite database liftwatch can open and write at ${config.storage.path}`, () =>
      composeAgent({ config, profiles: opts.profiles, logger, clockSync }),
    );
    started.push(async () => composed.outbox.close());
    let broker: EmbeddedBroker | null = null;
    if (config.broker.enabled) {
      const [{ EmbeddedBroker }, { brokerCredentials }] = await Promise.all([import('../broker/embedded.js'), import('../broker/credentials.js')]);
      const b = new EmbeddedBroker({
        host: config.broker.host,
        port: config.broker.port,
        logger: logger.child('broker'),
        credentials: await stage(['broker', 'passwordFile'], 'a readable, non-empty password file', () => brokerCredentials(config.broker)),
      });
      const { port } = await stage(['broker', 'port'], `a port the embedded MQTT broker can listen on at ${config.broker.host}`, () => b.start());
      logger.info('embedded MQTT broker listening', { host: config.broker.host, port });
      broker = b;
      started.push(() => b.stop());
    }
    let simulator: Simulator | null = null;
    if (opts.simulate) {
      const sim = opts.simulate;
      simulator = await stage(['buses'], 'the simulator to serve every bus', () => startSimulator(config, sim, logger, opts.profiles));
      const s = simulator;
      started.push(() => s.stop());
    }
    const diagnostics = composed.diagnostics;
    if (diagnostics) {
      // The CLI's side door, bound before the agent starts: a socket path that cannot be used is
      // a configuration mistake, found at start rather than by a technician on site.
      await stage(['diagnostics', 'socket'], 'diagnostics sockets liftwatch can bind', () => diagnostics.start());
      started.push(() => diagnostics.stop());
    }
    clockSync.start();
    started.push(async () => clockSync.stop());
    const print = opts.print === undefined ? (line: string) => process.stdout.write(line + '\n') : opts.print;
    if (print) {
      const contexts = liftContexts(config);
      const off = composed.agent.on({
        event: (stored, ev) => print(formatEvent(stored, ev, contexts.get(ev.liftId), opts.colour ?? false)),
      });
      started.push(async () => off());
    }
    // The health message is the `schedule.health` job's (the one setting for it); its first
    // publication waits until every lift has been polled once, so it never reports buses that
    // have not been opened yet. A rebirth before that waits too.
    const healthOn = config.schedule?.health?.enabled ?? true;
    composed.health.hold();
    await stage(['storage', 'path'], 'the agent to start on its database', () => composed.agent.start());
    started.push(() => composed.agent.stop());
    composed.requests.start();
    if (opts.operations === false && healthOn) composed.health.start(); // no scheduler: the publisher's own timer
    started.push(async () => {
      composed.health.stop();
      composed.requests.stop();
    });
    if (healthOn) {
      const first = firstPolls(composed.agent, config.lifts.map((l) => l.id), FIRST_HEALTH_BOUND_MS, new SystemClock());
      void first.done.then(() => composed.health.release());
      started.push(async () => first.cancel());
    }
    let operations: Operations | null = null;
    if (opts.operations !== false) {
      const ops = new Operations({ config, composed, clock: new SystemClock(), logger: logger.child('ops'), clockSync,
        ...(opts.notifier ? { notifier: opts.notifier } : {}) });
      await stage(['schedule'], 'the scheduled jobs to start', () => ops.start());
      operations = ops;
      started.push(() => ops.stop());
    }
    return { composed, broker, simulator, operations, stop: stopAll };
  } catch (err) {
    await stopAll();
    created.undo();
    throw err;
  }
}

async function startSimulator(
  config: Config,
  sim: NonNullable<StackOptions['simulate']>,
  logger: Logger,
  profiles: Map<string, DeviceProfile>,
): Promise<Simulator> {
  const [{ Simulator }, { scenarioByName }] = await Promise.all([import('../sim/simulator.js'), import('../sim/scenarios.js')]);
  const units = config.lifts.map((l) => l.unitId);
  const simulator = new Simulator({
    lifts: config.lifts.map((l) => ({ unitId: l.unitId, landings: l.landings.length, seed: (sim.seed ?? 1) * 1000 + l.unitId })),
    scenario: scenarioByName(sim.scenario, units),
  });
  try {
    for (const bus of config.buses) {
      if (bus.type === 'modbus-rtu') {
        await simulator.openSerial({ path: bus.port, baudRate: bus.baudRate });
      } else if (bus.type === 'serial-frames') {
        // A socat pty pair; the agent opens bus.port, the simulator the `.sim` end.
        const lift = config.lifts.find((l) => l.bus === bus.id);
        const format = lift ? profiles.get(lift.profile)?.frames?.format : undefined;
        if (format) await simulator.openFramesSerial({ path: `${bus.port}.sim`, ptyPeer: bus.port, protocol: format });
      } else {
        await simulator.listenTcp({ host: bus.host, port: bus.port, framing: bus.type === 'modbus-tcp' ? 'mbap' : 'rtu' });
      }
      logger.info('simulator serving', { bus: bus.id, units: config.lifts.filter((l) => l.bus === bus.id).map((l) => l.unitId) });
    }
  } catch (err) {
    await simulator.stop();
    throw err;
  }
  simulator.start();
  return simulator;
}

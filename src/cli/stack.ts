/**
 * Starts what `liftwatch run` and `liftwatch demo` run: the embedded broker when the config
 * enables it, the agent, and (for the demo) the simulator behind every bus. Returns one
 * `stop()` that releases everything in reverse order.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import { composeAgent, type Composed } from '../agent/compose.js';
import { EmbeddedBroker } from '../broker/embedded.js';
import type { Logger } from '../ports/logger.js';
import { Simulator } from '../sim/simulator.js';
import { scenarioByName, type ScenarioName } from '../sim/scenarios.js';
import { liftContexts } from '../agent/lift-directory.js';
import { formatEvent } from './present.js';

export interface StackOptions {
  config: Config;
  profiles: Map<string, DeviceProfile>;
  logger: Logger;
  /** Serve every bus of the config from liftwatch's simulator (the demo). */
  simulate?: { scenario: ScenarioName; seed?: number };
  /** Where readable alarm lines go (stdout by default); null for none. */
  print?: ((line: string) => void) | null;
  colour?: boolean;
}

export interface Stack {
  composed: Composed;
  broker: EmbeddedBroker | null;
  simulator: Simulator | null;
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
  try {
    let broker: EmbeddedBroker | null = null;
    if (config.broker.enabled) {
      broker = new EmbeddedBroker({ host: config.broker.host, port: config.broker.port, logger: logger.child('broker') });
      const { port } = await broker.start();
      logger.info('embedded MQTT broker listening', { host: config.broker.host, port });
      const b = broker;
      started.push(() => b.stop());
    }
    let simulator: Simulator | null = null;
    if (opts.simulate) {
      simulator = await startSimulator(config, opts.simulate, logger);
      const s = simulator;
      started.push(() => s.stop());
    }
    const composed = composeAgent({ config, profiles: opts.profiles, logger });
    const print = opts.print === undefined ? (line: string) => process.stdout.write(line + '\n') : opts.print;
    if (print) {
      const contexts = liftContexts(config);
      composed.agent.on({
        event: (stored, ev) => print(formatEvent(stored, ev, contexts.get(ev.liftId), opts.colour ?? false)),
      });
    }
    await composed.agent.start();
    started.push(() => composed.agent.stop());
    return { composed, broker, simulator, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startSimulator(config: Config, sim: NonNullable<StackOptions['simulate']>, logger: Logger): Promise<Simulator> {
  const units = config.lifts.map((l) => l.unitId);
  const simulator = new Simulator({
    lifts: config.lifts.map((l) => ({ unitId: l.unitId, landings: l.landings.length, seed: (sim.seed ?? 1) * 1000 + l.unitId })),
    scenario: scenarioByName(sim.scenario, units),
  });
  try {
    for (const bus of config.buses) {
      if (bus.type === 'modbus-rtu') {
        await simulator.openSerial({ path: bus.port, baudRate: bus.baudRate });
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

/** `liftwatch run` and `liftwatch demo`: the agent in the foreground until SIGINT/SIGTERM. */
import { ConsoleLogger, type Level } from '../platform/console-logger.js';
import type { ScenarioName } from '../sim/scenarios.js';
import { EXIT, loadAll, reportConfigError } from './load.js';
import { startStack } from './stack.js';

export interface RunArgs {
  config: string;
  logLevel: Level;
  simulate?: ScenarioName;
  banner?: boolean;
}

/** Bound on a clean shutdown; past it we exit non-zero rather than hang a service stop. */
const STOP_TIMEOUT_MS = 10_000;

export async function runCommand(args: RunArgs): Promise<number> {
  let loaded;
  try {
    loaded = loadAll(args.config);
  } catch (err) {
    return reportConfigError(err);
  }
  const { config, profiles } = loaded;
  const logger = new ConsoleLogger({ level: args.logLevel });
  const stack = await startStack({
    config,
    profiles,
    logger,
    colour: Boolean(process.stdout.isTTY),
    ...(args.simulate ? { simulate: { scenario: args.simulate } } : {}),
  });
  if (args.banner) {
    const root = stack.composed.root;
    process.stdout.write(
      [
        '',
        `liftwatch demo: ${config.lifts.length} simulated lifts at "${config.site.name}", broker mqtt://${config.broker.host}:${config.broker.port}, store ${config.storage.path}`,
        `Watch the same events with:  mosquitto_sub -h ${config.broker.host} -p ${config.broker.port} -t '${root}/#' -v`,
        'The simulated lifts run into faults within seconds (mains lost, trapped passenger, safety chain, link lost). Ctrl-C stops.',
        '',
      ].join('\n') + '\n',
    );
  }
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      const timer = setTimeout(() => {
        logger.error('shutdown took too long, exiting', { boundMs: STOP_TIMEOUT_MS });
        resolve(EXIT.FAILURE);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      stack.stop().then(
        () => {
          clearTimeout(timer);
          resolve(EXIT.OK);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error('error while stopping', { error: String(err) });
          resolve(EXIT.FAILURE);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

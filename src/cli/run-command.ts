/** `liftwatch run` and `liftwatch demo`: the agent in the foreground until SIGINT/SIGTERM. */
import type { Level } from '../ports/logger.js';
import { PinoLogger } from '../platform/logger.js';
import { SdNotify } from '../platform/sd-notify.js';
import type { ScenarioName } from '../sim/scenarios.js';
import type { Config } from '../config/types.js';
import type { Bind } from '../preflight/index.js';
import { releaseValidators } from '../config/validators/index.js';
import { releaseYamlLibrary } from '../config/yaml-library.js';
import { checkEnvironment, EXIT, loadAll, reportConfigError, startFailureError } from './load.js';
import { startStack } from './stack.js';
import { StartFailure } from './start-guard.js';

export interface RunArgs {
  config: string;
  /** Overrides config `logging.level` when given. */
  logLevel?: Level;
  simulate?: ScenarioName;
  banner?: boolean;
}

/** Bound on a clean shutdown; past it we exit non-zero rather than hang a service stop. */
const STOP_TIMEOUT_MS = 10_000;

export async function runCommand(args: RunArgs): Promise<number> {
  let loaded;
  let warnings: string[];
  try {
    loaded = loadAll(args.config);
    // Everything `run` could trip on, checked before anything is opened, bound or published
    // (src/preflight/); `config check` runs the same checks.
    warnings = await checkEnvironment(loaded.config, 'run', args.simulate ? simulatorBinds(loaded.config) : []);
  } catch (err) {
    return reportConfigError(err);
  }
  const { config, profiles } = loaded;
  releaseValidators(); // checked: the agent never validates a file again
  releaseYamlLibrary(); // read: nor parses one
  // JSON on stdout for journald (`run`), readable on a terminal; the demo keeps stdout
  // for its alarm lines and logs to stderr.
  const logger = new PinoLogger({
    level: args.logLevel ?? config.logging?.level ?? 'info',
    levels: config.logging?.levels ?? {},
    stream: args.simulate ? 'stderr' : 'stdout',
  });
  const alarmLog = logger.child('alarms');
  const notifier = new SdNotify({ onError: (err) => logger.warn('sd_notify failed', { error: err.message }) });
  for (const w of warnings) logger.warn(w.replace(/^warning: /, ''));
  let stack;
  try {
    stack = await startStack({
      config,
      profiles,
      logger,
      colour: Boolean(process.stdout.isTTY),
      notifier,
      // Under journald (stdout not a terminal) alarm lines become JSON records like every other line.
      ...(!args.simulate && !process.stdout.isTTY ? { print: (line: string) => alarmLog.info(line) } : {}),
      ...(args.simulate ? { simulate: { scenario: args.simulate } } : {}),
    });
  } catch (err) {
    // Stopped and cleaned up by startStack: nothing bound, no file it created left behind.
    if (err instanceof StartFailure) return reportConfigError(startFailureError(err, config));
    throw err;
  }
  // The demo also runs the facility side on the embedded broker (docs/facility.md).
  const facility = args.banner
    ? await import('./facility-demo.js').then((m) => m.startFacilityDemo(config, (line) => process.stdout.write(line + '\n'))).catch((err: Error) => {
        logger.warn('the demo facility side did not start', { error: err.message });
        return null;
      })
    : null;
  if (args.banner) {
    const root = stack.composed.root;
    process.stdout.write(
      [
        '',
        `liftwatch demo: ${config.lifts.length} simulated lifts at "${config.site.name}", broker mqtt://${config.broker.host}:${config.broker.port}, store ${config.storage.path}`,
        `Watch the same events with:  mosquitto_sub -h ${config.broker.host} -p ${config.broker.port} -t '${root}/#' -v`,
        'The simulated lifts run into faults within seconds (mains lost, trapped passenger, safety chain, link lost, a controller fault code). Ctrl-C stops.',
        ...(facility ? [`The facility side answers them: texts to tenants, the repairer and the operator are printed below as "facility ▸"; its console: ${facility.consoleUrl}`] : []),
        '',
      ].join('\n') + '\n',
    );
  }
  // READY=1 only now: store open, pollers running, uplink started (Type=notify).
  void notifier.notify({ READY: '1', STATUS: `monitoring ${config.lifts.length} lift(s) on ${config.buses.length} bus(es)` });
  logger.info('ready', { lifts: config.lifts.length, buses: config.buses.length });
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      void notifier.notify({ STOPPING: '1' });
      const timer = setTimeout(() => {
        logger.error('shutdown took too long, exiting', { boundMs: STOP_TIMEOUT_MS });
        resolve(EXIT.FAILURE);
        exitBackstop(EXIT.FAILURE);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      Promise.all([stack.stop(), facility?.stop()]).then(
        () => {
          clearTimeout(timer);
          resolve(EXIT.OK);
          exitBackstop(EXIT.OK);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error('error while stopping', { error: String(err) });
          resolve(EXIT.FAILURE);
          exitBackstop(EXIT.FAILURE);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/**
 * Exit within a bound (systemd's stop timeout). Once stopped (or past the bound), a handle some library left
 * open must not keep a stopping service alive until systemd's SIGKILL; unref'd, so a process
 * that ends by itself is not delayed.
 */
function exitBackstop(code: number): void {
  setTimeout(() => process.exit(code), 2000).unref();
}

/** The demo's simulator listens on each TCP bus's port. */
function simulatorBinds(config: Config): Bind[] {
  return config.buses.flatMap((b, i): Bind[] =>
    b.type === 'modbus-tcp' || b.type === 'modbus-rtu-over-tcp' ? [{ key: ['buses', i, 'port'], host: b.host, port: b.port, what: 'the simulator' }] : [],
  );
}

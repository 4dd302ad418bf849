/** `liftwatch facility`: the facility side in the foreground until SIGINT/SIGTERM (docs/facility.md). */
import { describeStore, loadFacilityConfig } from '../facility/config.js';
import { composeFacility, type Facility } from '../facility/compose.js';
import { FacilityFileError } from '../facility/errors.js';
import type { FacilityEvents } from '../facility/service.js';
import type { Logger } from '../ports/logger.js';
import { PinoLogger } from '../platform/logger.js';
import type { Level } from '../ports/logger.js';
import { redactText } from '../platform/redact.js';
import { EXIT } from './load.js';

/** Log lines for what the service does; message texts go to the log, contacts never do. */
export function facilityLogEvents(logger: Logger): FacilityEvents {
  return {
    invalid: (topic, problem) => logger.warn('message does not follow the contract', { topic, problem }),
    message: (m, actions, result, error) =>
      (result === 'sent' ? logger.info.bind(logger) : logger.warn.bind(logger))(`message ${result}`, {
        kind: m.kind, to: m.to.id, channel: m.to.channel, actions: actions.length, ...(error ? { error } : {}),
      }),
    // Which instance handled which step, when several share the load (debug: one line per step).
    case: (c, h) => logger.debug('step handled', { alarmId: c.alarmId, status: c.status, actions: h.actions.length }),
    gateway: (s, verdict) => logger.info('gateway status', { site: s.site.id, gateway: s.gatewayId, state: s.state, session: s.session, verdict }),
  };
}

export async function facilityCommand(args: { config: string; logLevel?: Level }): Promise<number> {
  let facility: Facility;
  const logger = new PinoLogger({ level: args.logLevel ?? 'info', levels: {}, stream: 'stdout' });
  try {
    const cfg = loadFacilityConfig(args.config);
    facility = composeFacility(cfg, { events: facilityLogEvents(logger) });
    const { consoleUrl } = await facility.start().catch(async (err: Error) => {
      await facility.stop().catch(() => undefined);
      throw new FacilityFileError(args.config, 'console / mqtt / store', `a console port, a broker and a store the service can use: ${err.message}`);
    });
    logger.info('facility ready', { console: consoleUrl, broker: redactText(cfg.mqtt.url), store: describeStore(cfg.store), ...(cfg.mqtt.sharedGroup ? { sharedGroup: cfg.mqtt.sharedGroup } : {}) });
  } catch (err) {
    if (err instanceof FacilityFileError) {
      process.stderr.write(redactText(`liftwatch facility: ${err.message}; nothing was started.\n`));
      return EXIT.CONFIG;
    }
    throw err;
  }
  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping', { signal });
      facility.stop().then(() => resolve(EXIT.OK), () => resolve(EXIT.FAILURE));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/**
 * The composition root: builds the real adapters (SQLite outbox, MQTT uplink, Modbus links)
 * around the agent. Tests build the same agent with other adapters behind the same ports.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import type { IdSource } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Outbox } from '../ports/outbox.js';
import type { ModbusLink } from '../field/link.js';
import { ModbusSerialLink } from '../field/modbus-serial-link.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { MqttUplink } from '../uplink/mqtt-uplink.js';
import { Dispatcher } from '../uplink/dispatcher.js';
import { statusPayload } from '../uplink/payload.js';
import { rootTopic, statusTopic } from '../uplink/topics.js';
import { SystemClock } from '../platform/system-clock.js';
import { uuidIds } from '../platform/uuid-ids.js';
import { Agent } from './agent.js';
import { version } from './version.js';

export interface ComposeOptions {
  config: Config;
  profiles: Map<string, DeviceProfile>;
  logger: Logger;
  clock?: Clock;
  ids?: IdSource;
  outbox?: Outbox;
  linkFor?: (busId: string) => ModbusLink;
}

export interface Composed {
  agent: Agent;
  outbox: Outbox;
  uplink: MqttUplink;
  dispatcher: Dispatcher;
  session: number;
  root: string;
}

export function composeAgent(opts: ComposeOptions): Composed {
  const { config, logger } = opts;
  const clock = opts.clock ?? new SystemClock();
  const outbox = opts.outbox ?? SqliteOutbox.open(config.storage.path, { clock });
  const session = outbox.nextSession();
  const root = rootTopic(config.uplink.topicPrefix, config.site.id, config.gateway.id);
  const uplink = new MqttUplink({
    config: config.uplink,
    statusTopic: statusTopic(root),
    status: (state) =>
      statusPayload({
        state,
        session,
        gatewayId: config.gateway.id,
        site: { id: config.site.id, name: config.site.name },
        version: version(),
        at: clock.now().wall,
      }),
    logger: logger.child('uplink'),
  });
  const dispatcher = new Dispatcher({
    outbox,
    uplink,
    logger: logger.child('dispatch'),
    inflight: config.uplink.inflight,
    now: () => clock.now().wall,
  });
  const links = new Map(config.buses.map((b) => [b.id, b] as const));
  const linkFor =
    opts.linkFor ??
    ((busId: string): ModbusLink => {
      const bus = links.get(busId);
      if (!bus) throw new Error(`unknown bus ${busId}`);
      return new ModbusSerialLink(bus);
    });
  const agent = new Agent({
    config,
    profiles: opts.profiles,
    clock,
    logger: logger.child('agent'),
    ids: opts.ids ?? uuidIds,
    outbox,
    uplink,
    linkFor,
    dispatcher,
  });
  return { agent, outbox, uplink, dispatcher, session, root };
}

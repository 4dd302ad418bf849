/**
 * The composition root: builds the real adapters (SQLite outbox, MQTT uplink, Modbus links)
 * around the agent. Tests build the same agent with other adapters behind the same ports.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import type { IdSource } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Outbox } from '../ports/outbox.js';
import type { ModbusLink } from '../ports/modbus-link.js';
import { ModbusSerialLink } from '../field/modbus-serial-link.js';
import type { ByteStream } from '../ports/byte-stream.js';
import { SerialByteStream } from '../field/frames/serial-byte-stream.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { dataGapTopic } from '../store/data-gap.js';
import { MqttUplink } from '../uplink/mqtt-uplink.js';
import { Dispatcher } from '../uplink/dispatcher.js';
import { statusPayload } from '../uplink/payload.js';
import { healthTopic, rootTopic, statusTopic } from '../uplink/topics.js';
import { HealthPublisher } from '../uplink/health.js';
import { RequestServer } from '../uplink/requests/server.js';
import { requestHandlers } from './request-handler.js';
import { SystemClock } from '../platform/system-clock.js';
import { uuidIds } from '../platform/uuid-ids.js';
import { Agent } from './agent.js';
import { version } from './version.js';
import { DiagnosticsService } from '../diagnostics/service.js';

export interface ComposeOptions {
  config: Config;
  profiles: Map<string, DeviceProfile>;
  logger: Logger;
  clock?: Clock;
  ids?: IdSource;
  outbox?: Outbox;
  linkFor?: (busId: string) => ModbusLink;
  /** Stamps `clockSynced` on every event (platform/system-clock.ts SystemClockSync). */
  clockSync?: { synced(): boolean };
  streamFor?: (busId: string) => ByteStream;
}

export interface Composed {
  agent: Agent;
  outbox: Outbox;
  uplink: MqttUplink;
  dispatcher: Dispatcher;
  session: number;
  root: string;
  /** `<root>/request/+` → `<root>/response/<op>`; started by the caller after the agent. */
  requests: RequestServer;
  /** Retained periodic `<root>/health`; started by the caller after the agent. */
  health: HealthPublisher;
  /** The local diagnostics socket (docs/technician.md); null when disabled. Started by the caller after the agent. */
  diagnostics: DiagnosticsService | null;
}

export function composeAgent(opts: ComposeOptions): Composed {
  const { config, logger } = opts;
  const clock = opts.clock ?? new SystemClock();
  const root = rootTopic(config.uplink.topicPrefix, config.site.id, config.gateway.id);
  const outbox =
    opts.outbox ??
    SqliteOutbox.open(config.storage.path, {
      clock,
      eventIds: uuidIds,
      limits: { maxBytes: config.storage.maxBytes, maxAgeDays: config.storage.maxAgeDays },
      dataGap: { topic: dataGapTopic(root), gatewayId: config.gateway.id, site: { id: config.site.id, name: config.site.name } },
    });
  const session = outbox.nextSession();
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
    clock,
  });
  const dispatcher = new Dispatcher({
    outbox,
    uplink,
    logger: logger.child('dispatch'),
    inflight: config.uplink.inflight,
    backlogRatePerSec: config.uplink.backlogRatePerSec ?? 200,
    clock,
  });
  const links = new Map(config.buses.map((b) => [b.id, b] as const));
  const linkFor =
    opts.linkFor ??
    ((busId: string): ModbusLink => {
      const bus = links.get(busId);
      if (!bus || bus.type === 'serial-frames') throw new Error(`unknown Modbus bus ${busId}`);
      return new ModbusSerialLink(bus);
    });
  const streamFor =
    opts.streamFor ??
    ((busId: string): ByteStream => {
      const bus = links.get(busId);
      if (!bus || bus.type !== 'serial-frames') throw new Error(`unknown serial-frames bus ${busId}`);
      return new SerialByteStream(bus);
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
    streamFor,
    dispatcher,
    ...(opts.clockSync ? { clockSynced: () => opts.clockSync!.synced() } : {}),
  });
  const site = { id: config.site.id, name: config.site.name };
  const uptimeSec = (): number => (agent.startedAt === null ? 0 : Math.round((clock.now().wall - agent.startedAt) / 1000));
  const requests = new RequestServer({
    uplink,
    root,
    gatewayId: config.gateway.id,
    logger: logger.child('requests'),
    now: () => clock.now().wall,
    handlers: requestHandlers({
      agent,
      liftIds: config.lifts.map((l) => l.id),
      // A rebirth re-sends every retained message: the health one rebuilt first, not the last one sent.
      republish: () => {
        health.publishNow();
        return uplink.republish();
      },
      session,
      version: version(),
      uptimeSec,
    }),
  });
  const health = new HealthPublisher({
    topic: healthTopic(root),
    // Only when no scheduler runs (a caller of startStack with operations off): under `run` the
    // health message is the `schedule.health` job's, the one setting for it.
    intervalSec: 60,
    clock,
    logger: logger.child('health'),
    setRetained: (topic, payload) => uplink.setRetained(topic, payload),
    facts: () => ({
      gatewayId: config.gateway.id,
      site,
      session,
      version: version(),
      nodeVersion: process.version,
      startedAt: agent.startedAt,
      buses: agent.busStats(),
      outbox: outbox.stats(),
      uplink: uplink.stats,
      memory: process.memoryUsage(),
      at: clock.now().wall,
    }),
  });
  const diagnostics =
    config.diagnostics?.enabled === false
      ? null
      : new DiagnosticsService({
          config,
          agent,
          outbox,
          uplink,
          dispatcher,
          session,
          version: version(),
          logger: logger.child('diagnostics'),
          clock,
          profiles: opts.profiles,
        });
  return { agent, outbox, uplink, dispatcher, session, root, requests, health, diagnostics };
}

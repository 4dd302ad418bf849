/** Builds the facility service from its checked configuration: store, directory, ways out, console. */
import { DEFAULT_RULES, type Channel } from './actions.js';
import { isPostgresUrl, type FacilityConfig } from './config.js';
import { ConsoleServer } from './console/server.js';
import { loadDirectory } from './directory.js';
import type { Directory } from './directory-types.js';
import { FacilityService, type FacilityEvents } from './service.js';
import type { FacilityStore, MessageSender } from './ports.js';
import { PostgresFacilityStore } from './postgres-store.js';
import { SmtpSender } from './smtp.js';
import { SqliteFacilityStore } from './sqlite-store.js';
import { WebhookSender } from './webhook.js';

export interface Facility {
  service: FacilityService;
  console: ConsoleServer;
  store: FacilityStore;
  directory: Directory;
  start(): Promise<{ consoleUrl: string }>;
  stop(): Promise<void>;
}

export function composeFacility(cfg: FacilityConfig, opts: { now?: () => number; events?: FacilityEvents; directory?: Directory } = {}): Facility {
  const now = opts.now ?? Date.now;
  const directory = opts.directory ?? loadDirectory(cfg.directory);
  // PostgreSQL when several instances share the load; its claims are named by the MQTT client id.
  const store = isPostgresUrl(cfg.store) ? new PostgresFacilityStore(cfg.store, { owner: cfg.mqtt.clientId }) : new SqliteFacilityStore(cfg.store, now());
  const senders: Partial<Record<Channel, MessageSender>> = {};
  if (cfg.webhooks.messages) senders.sms = new WebhookSender({ ...cfg.webhooks.messages, now });
  if (cfg.webhooks.crm) senders.crm = new WebhookSender({ ...cfg.webhooks.crm, now });
  if (cfg.smtp) senders.email = new SmtpSender(cfg.smtp);
  let con: ConsoleServer | null = null;
  const changed = () => con?.changed();
  const service = new FacilityService({
    store,
    directory,
    senders,
    rules: { ...DEFAULT_RULES, tenantGroupMs: cfg.rules.tenantGroupMs, ackTimeoutMs: cfg.rules.ackTimeoutMs, crm: cfg.webhooks.crm !== undefined },
    silence: { healthStaleMs: cfg.rules.healthStaleMs, testCallMaxMs: cfg.rules.testCallMaxMs },
    now,
    claimMs: cfg.delivery.claimMs,
    events: {
      ...opts.events,
      case: (c, h) => { opts.events?.case?.(c, h); changed(); },
      message: (m, a, r, e) => { opts.events?.message?.(m, a, r, e); changed(); },
      gateway: (s, v) => { opts.events?.gateway?.(s, v); changed(); },
    },
  });
  con = new ConsoleServer({
    host: cfg.console.host,
    port: cfg.console.port,
    credentials: cfg.console.username !== undefined && cfg.console.password !== undefined ? { username: cfg.console.username, password: cfg.console.password } : null,
    store,
    directory,
    service,
    now,
  });
  const consoleServer = con;
  return {
    service,
    console: consoleServer,
    store,
    directory,
    async start() {
      // The console first: a port in use fails before anything is subscribed.
      if (store instanceof PostgresFacilityStore) await store.open(now());
      const { url } = await consoleServer.start();
      await service.start(cfg.mqtt);
      return { consoleUrl: url };
    },
    async stop() {
      await consoleServer.stop();
      await service.stop();
      await store.close();
    },
  };
}

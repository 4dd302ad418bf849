/**
 * facility.yaml: where the broker is, where cases are kept, the directory, the ways out (webhooks,
 * SMTP), the rules' timings and the console. Checked before anything starts: a bad entry is named
 * with its file, its path and what was expected. Secrets are read from files and never echoed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { readCheckedYaml } from './checked-file.js';
import { hideUrlPassword } from './redact-url.js';
import { FacilityFileError } from './errors.js';

export interface WebhookConfig {
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface FacilityConfig {
  file: string;
  mqtt: { url: string; clientId: string; topicPrefixes: string[]; username?: string; password?: string; sharedGroup?: string };
  /** A SQLite file (one instance), or a `postgres://` URL (several instances share the load). */
  store: string;
  directory: string;
  webhooks: { messages?: WebhookConfig; crm?: WebhookConfig };
  smtp?: { url: string; from: string; username?: string; password?: string; timeoutMs: number };
  rules: { tenantGroupMs: number; ackTimeoutMs: number; healthStaleMs: number; testCallMaxMs: number };
  /** How long an instance's claim on an action lasts before another instance may send it. */
  delivery: { claimMs: number };
  console: { host: string; port: number; username?: string; password?: string };
}

const webhook = {
  type: 'object', additionalProperties: false, required: ['url', 'secretFile'],
  properties: { url: { type: 'string', pattern: '^https?://' }, secretFile: { type: 'string', minLength: 1 }, timeoutSec: { type: 'number', minimum: 1, maximum: 60 } },
};
const SCHEMA = {
  type: 'object', additionalProperties: false, required: ['mqtt', 'store', 'directory'],
  properties: {
    mqtt: {
      type: 'object', additionalProperties: false, required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^(mqtts?|wss?|tcp)://' },
        clientId: { type: 'string', minLength: 1, maxLength: 64 },
        topicPrefixes: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        username: { type: 'string' }, passwordFile: { type: 'string' },
        // A topic level of its own: no wildcard, no separator (MQTT 5, 4.8.2).
        sharedGroup: { type: 'string', pattern: '^[^/+#]{1,64}$' },
      },
    },
    store: { type: 'string', minLength: 1 },
    directory: { type: 'string', minLength: 1 },
    webhooks: { type: 'object', additionalProperties: false, properties: { messages: webhook, crm: webhook } },
    smtp: {
      type: 'object', additionalProperties: false, required: ['url', 'from'],
      properties: { url: { type: 'string', pattern: '^smtps?://' }, from: { type: 'string', minLength: 3 }, username: { type: 'string' }, passwordFile: { type: 'string' }, timeoutSec: { type: 'number', minimum: 1, maximum: 120 } },
    },
    rules: {
      type: 'object', additionalProperties: false,
      properties: {
        tenantGroupSec: { type: 'number', minimum: 0, maximum: 600 },
        ackTimeoutSec: { type: 'number', minimum: 1, maximum: 3600 },
        healthStaleMin: { type: 'number', minimum: 2, maximum: 1440 },
        testCallMarginHours: { type: 'number', minimum: 0, maximum: 72 },
      },
    },
    delivery: {
      type: 'object', additionalProperties: false,
      // Longer than a send may take (webhook timeouts are at most 60 s, SMTP 120 s).
      properties: { claimSec: { type: 'number', minimum: 1, maximum: 3600 } },
    },
    console: {
      type: 'object', additionalProperties: false,
      properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 }, username: { type: 'string' }, passwordFile: { type: 'string' } },
    },
  },
};

interface Raw {
  mqtt: { url: string; clientId?: string; topicPrefixes?: string[]; username?: string; passwordFile?: string; sharedGroup?: string };
  store: string;
  directory: string;
  webhooks?: Record<'messages' | 'crm', { url: string; secretFile: string; timeoutSec?: number } | undefined>;
  smtp?: { url: string; from: string; username?: string; passwordFile?: string; timeoutSec?: number };
  rules?: { tenantGroupSec?: number; ackTimeoutSec?: number; healthStaleMin?: number; testCallMarginHours?: number };
  delivery?: { claimSec?: number };
  console?: { host?: string; port?: number; username?: string; passwordFile?: string };
}

const validate = new Ajv({ strict: false }).compile<Raw>(SCHEMA);

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** A `postgres://` or `postgresql://` URL: the store is PostgreSQL. */
export function isPostgresUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/** The store as it may be shown (logs, the console, errors): a URL's password hidden. */
export function describeStore(store: string): string {
  return isPostgresUrl(store) ? hideUrlPassword(store) : store;
}

function checkStore(file: string, store: string, at: (p: string) => string): string {
  if (isPostgresUrl(store)) {
    let u: URL;
    try {
      u = new URL(store);
    } catch {
      throw new FacilityFileError(file, 'store', `a file path or a postgres://user@host/database URL, got ${describeStore(store)} (not a valid URL)`);
    }
    if (u.hostname === '' && !u.searchParams.has('host')) throw new FacilityFileError(file, 'store', `a postgres:// URL with a host, got ${describeStore(store)}`);
    return store;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(store)) {
    throw new FacilityFileError(file, 'store', `a file path (SQLite) or a postgres:// URL (PostgreSQL), got ${hideUrlPassword(store)}`);
  }
  return at(store);
}

export function loadFacilityConfig(file: string): FacilityConfig {
  const raw = readCheckedYaml(file, validate);
  const dir = path.dirname(path.resolve(file));
  const at = (p: string) => path.resolve(dir, p);
  const secret = (key: string, p: string): string => {
    try {
      const s = readFileSync(at(p), 'utf8').trim();
      if (s === '') throw new Error('the file is empty');
      return s;
    } catch (err) {
      throw new FacilityFileError(file, key, `expected a readable file holding the secret, got ${at(p)}: ${(err as Error).message.replace(/^.*?: /, '')}`);
    }
  };
  const hook = (name: 'messages' | 'crm'): WebhookConfig | undefined => {
    const h = raw.webhooks?.[name];
    return h && { url: h.url, secret: secret(`webhooks.${name}.secretFile`, h.secretFile), timeoutMs: (h.timeoutSec ?? 5) * 1000 };
  };
  const con = raw.console ?? {};
  const host = con.host ?? '127.0.0.1';
  if (!isLoopback(host) && (con.username === undefined || con.passwordFile === undefined)) {
    throw new FacilityFileError(file, 'console.host', `a loopback address, or console.username and console.passwordFile for a login (tenant contacts are shown), got ${host}`);
  }
  const webhooks: FacilityConfig['webhooks'] = {};
  const messages = hook('messages');
  const crm = hook('crm');
  if (messages) webhooks.messages = messages;
  if (crm) webhooks.crm = crm;
  return {
    file,
    mqtt: {
      url: raw.mqtt.url,
      clientId: raw.mqtt.clientId ?? 'liftwatch-facility',
      topicPrefixes: raw.mqtt.topicPrefixes ?? ['liftwatch'],
      ...(raw.mqtt.username !== undefined ? { username: raw.mqtt.username } : {}),
      ...(raw.mqtt.passwordFile !== undefined ? { password: secret('mqtt.passwordFile', raw.mqtt.passwordFile) } : {}),
      ...(raw.mqtt.sharedGroup !== undefined ? { sharedGroup: raw.mqtt.sharedGroup } : {}),
    },
    store: checkStore(file, raw.store, at),
    directory: at(raw.directory),
    webhooks,
    ...(raw.smtp
      ? {
          smtp: {
            url: raw.smtp.url,
            from: raw.smtp.from,
            timeoutMs: (raw.smtp.timeoutSec ?? 10) * 1000,
            ...(raw.smtp.username !== undefined ? { username: raw.smtp.username } : {}),
            ...(raw.smtp.passwordFile !== undefined ? { password: secret('smtp.passwordFile', raw.smtp.passwordFile) } : {}),
          },
        }
      : {}),
    rules: {
      tenantGroupMs: (raw.rules?.tenantGroupSec ?? 15) * 1000,
      ackTimeoutMs: (raw.rules?.ackTimeoutSec ?? 45) * 1000,
      healthStaleMs: (raw.rules?.healthStaleMin ?? 5) * 60_000,
      testCallMaxMs: 3 * 86_400_000 + (raw.rules?.testCallMarginHours ?? 6) * 3_600_000,
    },
    delivery: { claimMs: (raw.delivery?.claimSec ?? 180) * 1000 },
    console: {
      host,
      port: con.port ?? 8780,
      ...(con.username !== undefined ? { username: con.username } : {}),
      ...(con.passwordFile !== undefined ? { password: secret('console.passwordFile', con.passwordFile) } : {}),
    },
  };
}

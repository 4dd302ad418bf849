/**
 * Reads the uplink's secrets and TLS material from files. The password is returned, never
 * logged: errors name the file and the errno code only (zigbee2mqtt prints secrets as HIDDEN).
 */
import { readFileSync } from 'node:fs';
import type { UplinkConfig } from '../config/types.js';
import { UplinkError } from './errors.js';

export interface UplinkSecrets {
  password?: Buffer;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function readFile(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    throw new UplinkError('UPLINK_CREDENTIALS', `cannot read ${what} file ${file} (${code})`, { what, file, errno: code });
  }
}

/** Read at every connection attempt, so a fixed or rotated file is picked up without restart. */
export function readSecrets(config: UplinkConfig): UplinkSecrets {
  const s: UplinkSecrets = {};
  if (config.passwordFile !== undefined) {
    // A trailing newline from `echo secret > file` is not part of the password.
    const raw = readFile('password', config.passwordFile).toString('utf8').replace(/\r?\n$/, '');
    s.password = Buffer.from(raw, 'utf8');
  }
  if (config.tls?.ca !== undefined) s.ca = readFile('TLS CA', config.tls.ca);
  if (config.tls?.cert !== undefined) s.cert = readFile('TLS certificate', config.tls.cert);
  if (config.tls?.key !== undefined) s.key = readFile('TLS key', config.tls.key);
  return s;
}

/** The broker URL without any user:password part, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'HIDDEN';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * The URL handed to mqtt.js. mqtt.js lets `user:pass@` in the URL override the username and
 * password options (mqtt/build/lib/connect/index.js parseAuthOptions), so when the config names
 * them explicitly the URL's userinfo is dropped: the password file wins.
 */
export function connectUrl(config: UplinkConfig): string {
  if (config.username === undefined && config.passwordFile === undefined) return config.url;
  try {
    const u = new URL(config.url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return config.url; // mqtt.connect reports it
  }
}

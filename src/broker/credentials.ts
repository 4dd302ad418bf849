/**
 * Who may use the embedded broker. On loopback only local processes can reach it; bound to any
 * other address it is reachable from the site network, so it requires a username and password
 * (config `broker.username` + `broker.passwordFile`, checked by config/schema.json too).
 * The password is compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrokerConfig } from '../config/types.js';
import { BrokerError } from './errors.js';

export interface BrokerCredentials {
  username: string;
  password: Buffer;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Reads the broker's credentials from the config; null when none are configured. */
export function brokerCredentials(config: Pick<BrokerConfig, 'username' | 'passwordFile'>): BrokerCredentials | null {
  if (config.username === undefined || config.passwordFile === undefined) return null;
  let raw: string;
  try {
    raw = readFileSync(config.passwordFile, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    throw new BrokerError('BROKER_PASSWORD_FILE', `cannot read broker.passwordFile ${config.passwordFile} (${errno})`, { file: config.passwordFile, errno });
  }
  if (raw.length === 0) throw new BrokerError('BROKER_PASSWORD_FILE', `broker.passwordFile ${config.passwordFile} is empty`, { file: config.passwordFile });
  return { username: config.username, password: Buffer.from(raw, 'utf8') };
}

/** Constant-time check of a client's username and password. */
export function credentialsMatch(expected: BrokerCredentials, username: string | undefined, password: Buffer | undefined): boolean {
  if (username === undefined || password === undefined) return false;
  const digest = (b: Buffer | string) => createHash('sha256').update(b).digest();
  const userOk = timingSafeEqual(digest(username), digest(expected.username));
  const passOk = timingSafeEqual(digest(password), digest(expected.password));
  return userOk && passOk;
}

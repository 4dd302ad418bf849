/**
 * What the uplink and the embedded broker will read: the password and TLS files exist, are
 * regular files this user can read, are not empty and hold PEM where PEM is expected; and the
 * broker URL parses. Without these checks `config check` said valid and `run` then retried
 * forever logging UPLINK_CREDENTIALS or ERR_INVALID_URL. Contents are never echoed.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PathSegment } from '../config/errors.js';
import { formatBytes, MAX_FILE_BYTES } from '../config/input-limits.js';
import type { Config } from '../config/types.js';
import { redactUrlValue } from '../platform/redact.js';
import { error, errnoText, errorFrom, warning, type Finding } from './findings.js';
import { typeOf } from './paths.js';

type Expect = 'password' | 'certificate' | 'key';

/** Reads a small file for checking; a Finding when it cannot be. */
function readSmall(key: PathSegment[], file: string, what: string): Buffer | Finding {
  const abs = path.resolve(process.cwd(), file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    return errorFrom('FILE_UNREADABLE', key, `expected a readable file with ${what}, got ${abs}: ${errnoText(err)}`, err);
  }
  if (!st.isFile()) return error('FILE_UNREADABLE', key, `expected a regular file with ${what}, got ${typeOf(st)} at ${abs}`);
  if (st.size > MAX_FILE_BYTES) return error('FILE_UNREADABLE', key, `expected a file of at most ${formatBytes(MAX_FILE_BYTES)} with ${what}, got ${formatBytes(st.size)} at ${abs}`);
  try {
    return fs.readFileSync(abs);
  } catch (err) {
    return errorFrom('FILE_UNREADABLE', key, `expected a file this user can read with ${what}, got ${abs}: ${errnoText(err)}`, err);
  }
}

function checkFile(key: PathSegment[], file: string, expect: Expect, emptyIs: 'error' | 'warning' = 'error'): Finding[] {
  const what = expect === 'password' ? 'the password' : expect === 'certificate' ? 'a PEM certificate' : 'a PEM private key';
  const got = readSmall(key, file, what);
  if (!Buffer.isBuffer(got)) return [got];
  if (expect === 'password') {
    if (got.toString('utf8').replace(/\r?\n$/, '').length > 0) return [];
    const f = emptyIs === 'error' ? error : warning;
    return [f('FILE_UNREADABLE', key, `expected a file holding the password, got an empty file at ${path.resolve(file)}`)];
  }
  try {
    if (expect === 'certificate') new X509Certificate(got);
    else createPrivateKey(got);
    return [];
  } catch {
    // An encrypted key is refused too: the uplink has no passphrase to open it with.
    return [error('FILE_UNREADABLE', key, `expected ${what}${expect === 'key' ? ' (unencrypted)' : ''}, got ${path.resolve(file)}, which is not one`)];
  }
}

const TLS_SCHEMES = new Set(['mqtts:', 'ssl:', 'wss:']);

/** uplink.url parses as the MQTT client will parse it; its own user:password meet the keys. */
function urlFindings(config: Config): Finding[] {
  const u = config.uplink;
  const key = ['uplink', 'url'];
  let url: URL;
  try {
    url = new URL(u.url);
  } catch {
    return [error('URL_INVALID', key, `expected a broker URL such as mqtt://host:1883 or mqtts://host:8883, got ${JSON.stringify(redactUrlValue(u.url))}, which does not parse as a URL`)];
  }
  if (url.hostname === '') return [error('URL_INVALID', key, `expected a broker URL with a host name, got ${JSON.stringify(redactUrlValue(u.url))}`)];
  const out: Finding[] = [];
  if (url.password !== '') {
    out.push(
      u.username !== undefined || u.passwordFile !== undefined
        ? warning('URL_INVALID', key, 'expected no user:password in the URL when uplink.username or uplink.passwordFile is set: the URL\'s are ignored')
        : warning('URL_INVALID', key, 'expected the password in uplink.passwordFile, got one in the URL (it is hidden from logs, but the config file then holds a secret)'),
    );
  }
  if (u.tls && (u.tls.ca ?? u.tls.cert ?? u.tls.key) !== undefined && !TLS_SCHEMES.has(url.protocol)) {
    out.push(warning('URL_INVALID', ['uplink', 'tls'], `expected an mqtts://, ssl:// or wss:// URL for the TLS files to be used, got ${url.protocol}// (they are ignored)`));
  }
  return out;
}

/** The uplink's and the embedded broker's files, and the URL. */
export function credentialFindings(config: Config): Finding[] {
  const out: Finding[] = [...urlFindings(config)];
  const u = config.uplink;
  if (u.passwordFile !== undefined) out.push(...checkFile(['uplink', 'passwordFile'], u.passwordFile, 'password', 'warning'));
  if (u.tls?.ca !== undefined) out.push(...checkFile(['uplink', 'tls', 'ca'], u.tls.ca, 'certificate'));
  if (u.tls?.cert !== undefined) out.push(...checkFile(['uplink', 'tls', 'cert'], u.tls.cert, 'certificate'));
  if (u.tls?.key !== undefined) out.push(...checkFile(['uplink', 'tls', 'key'], u.tls.key, 'key'));
  if ((u.tls?.cert === undefined) !== (u.tls?.key === undefined)) {
    const missing = u.tls?.cert === undefined ? 'cert' : 'key';
    out.push(error('FILE_UNREADABLE', ['uplink', 'tls', missing], `expected uplink.tls.${missing} too: a client certificate and its key go together`));
  }
  const b = config.broker;
  if (b.enabled && b.passwordFile !== undefined) out.push(...checkFile(['broker', 'passwordFile'], b.passwordFile, 'password'));
  return out;
}

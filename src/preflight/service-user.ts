/**
 * Run as root, `config check` can read every file, so a password or TLS file only root may read
 * passed, and the service (User=liftwatch in systemd/liftwatch.service) then failed on it. Where
 * it can tell, that is from the mode bits of the file and of every directory above it, this says
 * whether the service user could read it. A warning, not an error: an ACL may still allow it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PathSegment } from '../config/errors.js';
import type { Config } from '../config/types.js';
import { warning, type Finding } from './findings.js';

/** The user the unit runs as; LIFTWATCH_SERVICE_USER names another (a unit edited to run as it). */
export function serviceUserName(): string {
  return process.env['LIFTWATCH_SERVICE_USER'] ?? 'liftwatch';
}

interface Account {
  name: string;
  uid: number;
  gids: Set<number>;
}

/** The account from /etc/passwd and /etc/group, or null when this machine has no such user. */
export function account(name: string, etc = '/etc'): Account | null {
  let passwd: string;
  try {
    passwd = fs.readFileSync(path.join(etc, 'passwd'), 'utf8');
  } catch {
    return null;
  }
  const line = passwd.split('\n').find((l) => l.split(':')[0] === name);
  if (line === undefined) return null;
  const [, , uid, gid] = line.split(':');
  const gids = new Set([Number(gid)]);
  try {
    for (const g of fs.readFileSync(path.join(etc, 'group'), 'utf8').split('\n')) {
      const [, , id, members] = g.split(':');
      if (members?.split(',').includes(name)) gids.add(Number(id));
    }
  } catch {
    // no /etc/group: the primary group only
  }
  return { name, uid: Number(uid), gids };
}

/** Whether `who` may do `bit` (4 read, 1 search) on `st`, by its mode bits alone. */
function allowed(st: fs.Stats, who: Account, bit: 4 | 1): boolean {
  if (who.uid === 0) return true;
  if (st.uid === who.uid) return (st.mode & (bit << 6)) !== 0;
  if (who.gids.has(st.gid)) return (st.mode & (bit << 3)) !== 0;
  return (st.mode & bit) !== 0;
}

/** Why `who` cannot read `file`, or null when the mode bits let it (or the file is not there). */
export function unreadableBy(file: string, who: Account): string | null {
  const abs = path.resolve(file);
  try {
    const dirs: string[] = [];
    for (let d = path.dirname(abs); ; d = path.dirname(d)) {
      dirs.unshift(d);
      if (d === path.dirname(d)) break;
    }
    for (const d of dirs) {
      const st = fs.statSync(d);
      if (!allowed(st, who, 1)) return `the directory ${d} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}) does not let ${who.name} through`;
    }
    const st = fs.statSync(abs);
    if (!allowed(st, who, 4)) return `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${st.uid} gid ${st.gid}: ${who.name} may not read it`;
    return null;
  } catch {
    return null; // missing files are reported by the file checks
  }
}

/** Only when run as root and the service user exists: otherwise this user's own reads tell. */
export function serviceUserFindings(config: Config): Finding[] {
  if (process.getuid?.() !== 0) return [];
  const who = account(serviceUserName());
  if (who === null || who.uid === 0) return [];
  const files: Array<[PathSegment[], string | undefined]> = [
    [['uplink', 'passwordFile'], config.uplink.passwordFile],
    [['uplink', 'tls', 'ca'], config.uplink.tls?.ca],
    [['uplink', 'tls', 'cert'], config.uplink.tls?.cert],
    [['uplink', 'tls', 'key'], config.uplink.tls?.key],
    [['broker', 'passwordFile'], config.broker.enabled ? config.broker.passwordFile : undefined],
  ];
  return files.flatMap(([key, file]) => {
    if (file === undefined) return [];
    const why = unreadableBy(file, who);
    return why === null ? [] : [warning('FILE_UNREADABLE', key, `expected a file the service user ${who.name} can read, got ${path.resolve(file)}: ${why}; \`run\` as ${who.name} would stop here`)];
  });
}

/**
 * The socket file's life: a stale file left by a crash is removed, a live one (another agent)
 * is not; permissions are set so that the file system decides who may connect.
 *
 * Node has no SO_PEERCRED, so the agent cannot ask who is on the other end of a connection.
 * Access is therefore decided when connecting, by the kernel, from the socket file's mode
 * (connect(2) needs write permission on a unix socket): the full-access socket is 0660, owner
 * the service user, group `liftwatch`, so only root, the service user and the group can reach
 * the state-changing requests; the read-only socket is 0666 and refuses them (docs/technician.md).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DiagnosticsError } from './protocol.js';

/**
 * Makes the directory and clears a stale socket: the one file the agent ever removes, and only
 * after checking that it is a socket and that nobody answers on it. Anything else at the path
 * (the database, a config, a directory) is refused and left as it is: a socket path set to the
 * database's once cost a site its stored events.
 */
export async function prepareSocketPath(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return; // nothing there
  }
  if (!st.isSocket()) {
    throw new DiagnosticsError('NOT_AVAILABLE', `${file}: expected nothing or a stale liftwatch socket there, got ${st.isDirectory() ? 'a directory' : st.isFile() ? 'a regular file' : 'another kind of file'}; it is left as it is`);
  }
  const outcome = await new Promise<string>((resolve) => {
    const c = net.connect(file);
    c.once('connect', () => {
      c.destroy();
      resolve('live');
    });
    c.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EUNKNOWN'));
  });
  if (outcome === 'live') throw new DiagnosticsError('NOT_AVAILABLE', `${file}: another liftwatch agent is already serving this socket`);
  if (outcome === 'ENOENT') return;
  if (outcome !== 'ECONNREFUSED') {
    throw new DiagnosticsError('NOT_AVAILABLE', `${file}: cannot tell whether an agent serves this socket (${outcome}); it is left as it is`);
  }
  // Checked again just before the unlink: still the socket we found.
  const again = fs.lstatSync(file);
  if (again.isSocket() && again.ino === st.ino && again.dev === st.dev) fs.unlinkSync(file);
}

/** The gid of a group by name, from /etc/group; null when there is no such group. */
export function groupId(name: string, groupFile = '/etc/group'): number | null {
  let text: string;
  try {
    text = fs.readFileSync(groupFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}

export interface PermissionIo {
  groupFile?: string;
  chown?: (file: string, uid: number, gid: number) => void;
}

/** Sets mode and (when it exists and we may) the group; returns a warning instead of throwing. */
export function applyPermissions(file: string, mode: number, group: string | null, io: PermissionIo = {}): string | null {
  fs.chmodSync(file, mode);
  if (group === null) return null;
  const gid = groupId(group, io.groupFile);
  if (gid === null) return `group ${group} does not exist; ${file} keeps the service user's group`;
  // Under systemd/liftwatch.service (Group=liftwatch) the socket is born with the right group,
  // and chown(2) is refused there anyway: SystemCallFilter=~@privileged removes @chown (EPERM,
  // seen under a real systemd 252, systemd/verify-in-container.sh). So no call when nothing changes.
  if (fs.statSync(file).gid === gid) return null;
  try {
    (io.chown ?? fs.chownSync)(file, -1, gid);
    return null;
  } catch (err) {
    return `could not give ${file} to group ${group}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}

/** Removes the file if it is (still) a socket. */
export function removeSocket(file: string): void {
  try {
    if (fs.lstatSync(file).isSocket()) fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

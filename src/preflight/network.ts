/**
 * What only trying can tell: whether someone answers on a diagnostics socket (another agent
 * with this config) and whether a TCP port the agent will listen on is free. Both try and let
 * go at once: nothing stays bound, nothing is removed.
 */
import net from 'node:net';

export type SocketState = { state: 'absent' } | { state: 'stale' } | { state: 'live' } | { state: 'refused'; code: string };

/** Connects to a unix socket file: `live` when something accepts, `stale` when nothing listens. */
export function probeSocket(file: string, timeoutMs = 1000): Promise<SocketState> {
  return new Promise((resolve) => {
    const c = net.connect(file);
    const done = (s: SocketState): void => {
      clearTimeout(timer);
      c.destroy();
      resolve(s);
    };
    const timer = setTimeout(() => done({ state: 'live' }), timeoutMs); // accepted but silent: someone is there
    c.once('connect', () => done({ state: 'live' }));
    c.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') done({ state: 'absent' });
      else if (err.code === 'ECONNREFUSED') done({ state: 'stale' });
      else done({ state: 'refused', code: err.code ?? 'EUNKNOWN' });
    });
  });
}

/** Binds host:port and closes at once; null when free, else the errno code (EADDRINUSE, EACCES…). */
export function probePort(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EUNKNOWN'));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

export function portErrnoText(code: string): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'in use by another process (EADDRINUSE)';
    case 'EACCES':
      return 'a privileged port this user may not bind (EACCES)';
    case 'EADDRNOTAVAIL':
      return 'not an address of this machine (EADDRNOTAVAIL)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `a host name that does not resolve (${code})`;
    default:
      return code;
  }
}

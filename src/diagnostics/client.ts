/**
 * The CLI's end of the diagnostics socket. Tries the full-access socket first; when the file
 * system refuses it (EACCES: not root, the service user or the group) it falls back to the
 * read-only socket, on which state-changing requests are answered FORBIDDEN.
 */
import net from 'node:net';
import { DiagnosticsError, type Op, type Response } from './protocol.js';

export class DiagnosticsClient {
  private socket: net.Socket | null = null;
  private buf = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  /** Which socket we ended up on. */
  path = '';
  readOnly = false;

  constructor(
    private readonly socketPath: string,
    private readonly readOnlyPath: string | null,
  ) {}

  /** Connects; throws DiagnosticsError NO_AGENT or ACCESS_DENIED. */
  async connect(): Promise<this> {
    try {
      this.socket = await open(this.socketPath);
      this.path = this.socketPath;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' && this.readOnlyPath) {
        this.socket = await open(this.readOnlyPath).catch((e: NodeJS.ErrnoException) => {
          throw clientError(e, this.readOnlyPath as string);
        });
        this.path = this.readOnlyPath;
        this.readOnly = true;
      } else {
        throw clientError(err as NodeJS.ErrnoException, this.socketPath);
      }
    }
    const s = this.socket;
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => this.onData(chunk));
    s.on('close', () => this.failAll(new DiagnosticsError('NO_AGENT', 'the agent closed the diagnostics connection')));
    s.on('error', () => undefined);
    return this;
  }

  async request<T = unknown>(op: Op, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<T> {
    const s = this.socket;
    if (!s) throw new DiagnosticsError('NO_AGENT', 'not connected');
    const id = this.nextId++;
    const r = await new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new DiagnosticsError('TIMEOUT', `no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      s.write(JSON.stringify({ id, op, args }) + '\n');
    });
    if (!r.ok) throw new DiagnosticsError(r.error.code, r.error.message);
    return r.result as T;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        continue;
      }
      const w = this.waiting.get(r.id);
      if (w) {
        this.waiting.delete(r.id);
        w.resolve(r);
      }
    }
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

function open(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

function clientError(err: NodeJS.ErrnoException, path: string): DiagnosticsError {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new DiagnosticsError('ACCESS_DENIED', `${path}: permission denied (run as root, the service user, or a member of group liftwatch)`);
  }
  return new DiagnosticsError('NO_AGENT', `${path}: no agent answers (${err.code ?? err.message}); is liftwatch running?`);
}

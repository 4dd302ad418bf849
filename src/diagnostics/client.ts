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

  /**
   * `group`: the group the configuration gives the full-access socket (`diagnostics.group`),
   * named when access is refused; null when it gives none.
   */
  constructor(
    private readonly socketPath: string,
    private readonly readOnlyPath: string | null,
    private readonly group: string | null = 'liftwatch',
  ) {}

  /**
   * Connects; throws DiagnosticsError NO_AGENT (nothing listens) or ACCESS_DENIED (something
   * is there but the file system refuses this user). A refusal on the full-access socket stays
   * ACCESS_DENIED when there is no read-only socket to fall back to: the agent is there.
   */
  async connect(): Promise<this> {
    try {
      this.socket = await open(this.socketPath);
      this.path = this.socketPath;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (!denied(e)) throw new DiagnosticsError('NO_AGENT', `${this.socketPath}: no agent answers (${e.code ?? e.message}); is liftwatch running?`);
      const ro = this.readOnlyPath;
      if (!ro) throw this.deniedError(this.socketPath, 'and no read-only socket is configured');
      try {
        this.socket = await open(ro);
      } catch (roErr) {
        const r = roErr as NodeJS.ErrnoException;
        throw denied(r)
          ? this.deniedError(ro, `(nor on ${this.socketPath})`)
          : this.deniedError(this.socketPath, `and the read-only socket ${ro} does not answer (${r.code ?? r.message})`);
      }
      this.path = ro;
      this.readOnly = true;
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

  private deniedError(path: string, more: string): DiagnosticsError {
    const who = this.group ? `root, the service user, or a member of group ${this.group}` : 'root or the service user';
    return new DiagnosticsError('ACCESS_DENIED', `${path}: permission denied ${more} (run as ${who})`);
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

function denied(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EACCES' || err.code === 'EPERM';
}

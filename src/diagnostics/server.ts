/**
 * The diagnostics server inside the agent: newline-delimited JSON over a local unix socket
 * (./protocol.ts). Two sockets: full access (0660, service user + group) and read-only (0666).
 * A failure here never stops the alarm path: the caller logs it and the agent runs on.
 */
import net from 'node:net';
import type { Logger } from '../ports/logger.js';
import { validateArgs } from './args.js';
import { changesState, DiagnosticsError, isOp, MAX_LINE_BYTES, type Op, type Response } from './protocol.js';
import { applyPermissions, prepareSocketPath, removeSocket } from './socket-file.js';

export type Handler = (args: Record<string, unknown>) => unknown;
export type Handlers = Record<Op, Handler>;

export interface DiagnosticsServerOptions {
  socket: string;
  /** null: no read-only socket. */
  readOnlySocket: string | null;
  /** null: leave the socket's group as created (config `diagnostics.group: false`). */
  group: string | null;
  handlers: Handlers;
  logger: Logger;
}

/** Requests read ahead of the one being answered, per connection. */
export const MAX_BUFFERED_BYTES = 2 * MAX_LINE_BYTES;
/** Answers written but not yet read by the client, per connection, before reading pauses. */
export const RESPONSE_HIGH_WATER_BYTES = 256 * 1024;
/** Connections at once, per socket; more are closed as they arrive. */
export const MAX_CONNECTIONS = 32;
/** A connection with nothing in flight and no traffic for this long is closed. */
export const IDLE_TIMEOUT_MS = 5 * 60_000;

interface Listening {
  server: net.Server;
  file: string;
}

export class DiagnosticsServer {
  private listening: Listening[] = [];
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: DiagnosticsServerOptions) {}

  async start(): Promise<void> {
    try {
      this.listening.push(await this.listen(this.opts.socket, 0o660, false));
      if (this.opts.readOnlySocket) this.listening.push(await this.listen(this.opts.readOnlySocket, 0o666, true));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.opts.logger.info('diagnostics socket listening', { socket: this.opts.socket, readOnly: this.opts.readOnlySocket });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const all = this.listening;
    this.listening = [];
    await Promise.all(all.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
    for (const l of all) removeSocket(l.file);
  }

  private async listen(file: string, mode: number, readOnly: boolean): Promise<Listening> {
    await prepareSocketPath(file);
    const server = net.createServer((socket) => this.onConnection(socket, readOnly));
    server.maxConnections = MAX_CONNECTIONS;
    // The socket file is created by bind() with the process umask; a restrictive umask around
    // listen() closes the window before chmod in which a stranger could connect. Node binds a
    // unix socket synchronously inside listen(), so the umask is restored before anything else
    // in the process can create a file.
    const listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const old = process.umask(0o177);
    try {
      server.listen(file);
    } finally {
      process.umask(old);
    }
    await listening;
    server.on('error', (err) => this.opts.logger.error('diagnostics socket error', { socket: file, error: String(err) }));
    const warning = applyPermissions(file, mode, readOnly ? null : this.opts.group);
    if (warning) this.opts.logger.warn(warning);
    return { server, file };
  }

  /**
   * One request at a time per connection, and reading paused while answers wait to be read:
   * what a client may cost the agent is bounded (MAX_BUFFERED_BYTES of requests read ahead,
   * RESPONSE_HIGH_WATER_BYTES of answers queued, one answer in the making), however much it
   * writes without reading. The kernel's socket buffer then holds the client back.
   */
  private onConnection(socket: net.Socket, readOnly: boolean): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setTimeout(IDLE_TIMEOUT_MS);
    let buf = '';
    let busy = false;
    let closed = false;
    const pump = (): void => {
      while (!busy && !closed && socket.writableLength < RESPONSE_HIGH_WATER_BYTES) {
        const nl = buf.indexOf('\n');
        if (nl < 0) break;
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        busy = true;
        // In order: a slow request (test-alarm) delays later answers on the same connection.
        void this.answer(line, readOnly).then((r) => {
          busy = false;
          this.send(socket, r);
          pump();
        });
      }
      if (!busy && buf.indexOf('\n') < 0 && buf.length > MAX_LINE_BYTES) {
        this.send(socket, { id: 0, ok: false, error: { code: 'BAD_REQUEST', message: `request line longer than ${MAX_LINE_BYTES} bytes` } });
        buf = '';
        closed = true;
        socket.end();
        return;
      }
      const full = buf.length >= MAX_BUFFERED_BYTES || socket.writableLength >= RESPONSE_HIGH_WATER_BYTES;
      if (full && !socket.isPaused()) socket.pause();
      else if (!full && socket.isPaused() && !closed) socket.resume();
    };
    socket.on('data', (chunk: string) => {
      buf += chunk;
      pump();
    });
    socket.on('drain', pump);
    socket.on('timeout', () => {
      if (!busy) socket.destroy(); // idle: its place is free for another client
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      this.sockets.delete(socket);
    });
  }

  private send(socket: net.Socket, r: Response): void {
    if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(r) + '\n');
  }

  private async answer(line: string, readOnly: boolean): Promise<Response> {
    let id = 0;
    try {
      let req: unknown;
      try {
        req = JSON.parse(line);
      } catch {
        throw new DiagnosticsError('BAD_REQUEST', 'not JSON');
      }
      if (typeof req !== 'object' || req === null) throw new DiagnosticsError('BAD_REQUEST', 'expected an object');
      const r = req as { id?: unknown; op?: unknown; args?: unknown };
      if (typeof r.id === 'number') id = r.id;
      if (!isOp(r.op)) throw new DiagnosticsError('BAD_REQUEST', `unknown op ${JSON.stringify(r.op)}`);
      if (readOnly && changesState(r.op)) {
        throw new DiagnosticsError('FORBIDDEN', `${r.op} changes state: it is only accepted on the full-access socket (root, the service user${this.opts.group ? ` or group ${this.opts.group}` : ''})`);
      }
      const args = validateArgs(r.op, r.args);
      const result = await this.opts.handlers[r.op](args);
      return { id, ok: true, result };
    } catch (err) {
      if (err instanceof DiagnosticsError) return { id, ok: false, error: { code: err.code, message: err.message } };
      this.opts.logger.error('diagnostics request failed', { error: String(err) });
      return { id, ok: false, error: { code: 'INTERNAL', message: String(err) } };
    }
  }
}

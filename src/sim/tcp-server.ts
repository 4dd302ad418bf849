/**
 * Serves simulated lifts over TCP: RTU frames over a raw socket (`framing: 'rtu'`, what
 * serial device servers and modbus-serial's `connectTelnet` speak) or Modbus TCP
 * (`framing: 'mbap'`). Port 0 binds an ephemeral port; `start()` reports the bound port.
 */
import net from 'node:net';
import { SimError } from './errors.js';
import type { SlaveLink } from './slave-link.js';

export interface TcpServerOptions {
  host: string;
  port: number;
  link: SlaveLink;
  logger?: (line: string) => void;
}

export class TcpSlaveServer {
  private readonly opts: TcpServerOptions;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(opts: TcpServerOptions) {
    this.opts = opts;
  }

  async start(): Promise<{ port: number }> {
    const server = net.createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new SimError('SIM_LISTEN_FAILED', `cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`, {
          host: this.opts.host,
          port: this.opts.port,
        }));
      };
      server.once('error', onError);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.logger?.(`tcp server error: ${err.message}`));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.opts.logger?.(`listening on ${this.opts.host}:${port} (${this.opts.link.framing})`);
    return { port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const detach = this.opts.link.attach(socket);
    socket.on('error', () => undefined); // a reset by the master is not our failure
    socket.on('close', () => {
      detach();
      this.sockets.delete(socket);
    });
  }
}

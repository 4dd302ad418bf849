/**
 * An embedded MQTT 3.1.1 broker (aedes) for a site without one, for the demo and for tests.
 * aedes keeps retained messages and sessions in memory: a restart loses them, which is why
 * the uplink re-publishes its retained state on every connect.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../ports/logger.js';
import { credentialsMatch, isLoopback, type BrokerCredentials } from './credentials.js';
import { BrokerError } from './errors.js';

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1: listen on loopback unless told otherwise. */
  host?: string;
  /** 0 = ephemeral. */
  port: number;
  logger: Logger;
  /** Admission policy (aedes `authenticate`): return false to refuse with CONNACK 5, not authorized. */
  admit?: (c: { clientId: string; username?: string; password?: Buffer }) => boolean;
  /** Username and password every client must give. Required when `host` is not loopback. */
  credentials?: BrokerCredentials | null;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  async start(): Promise<{ port: number }> {
    if (this.server) return { port: (this.server.address() as AddressInfo).port };
    const host = this.opts.host ?? '127.0.0.1';
    const creds = this.opts.credentials ?? null;
    if (!isLoopback(host) && creds === null) {
      throw new BrokerError(
        'BROKER_CREDENTIALS_REQUIRED',
        `broker.host ${host} is not a loopback address: set broker.username and broker.passwordFile, or listen on 127.0.0.1`,
        { host },
      );
    }
    const policy = this.opts.admit;
    const admit =
      creds === null
        ? policy
        : (c: { clientId: string; username?: string; password?: Buffer }) =>
            credentialsMatch(creds, c.username, c.password) && (policy === undefined || policy(c));
    const broker = await Aedes.createBroker(
      admit
        ? {
            // authenticate, not preConnect: a refusal gets CONNACK 5 and a close, whereas a
            // preConnect refusal leaves the socket open until the client's connect timeout.
            authenticate: (client, username, password, done) => {
              const c: { clientId: string; username?: string; password?: Buffer } = { clientId: client.id };
              if (username !== undefined) c.username = username;
              if (password !== undefined) c.password = password;
              done(null, admit(c));
            },
          }
        : {},
    );
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined); // aedes reports client errors itself
      broker.handle(socket);
    });
    broker.on('clientError', (client, err) => this.opts.logger.debug('client error', { clientId: client.id, error: err.message }));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.opts.port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      throw err;
    }
    this.broker = broker;
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.opts.logger.info('embedded MQTT broker listening', { host, port });
    return { port };
  }

  /**
   * Cuts client sockets without an MQTT close, as a network failure or a crashed client would:
   * the broker publishes their wills ([MQTT-3.1.2-8]). All clients, or the one with `clientId`.
   */
  dropConnections(clientId?: string): number {
    if (clientId !== undefined) {
      // aedes keeps its clients by id (aedes.js `this.clients`), not in its typings.
      const clients = (this.broker as unknown as { clients?: Record<string, { conn: unknown }> } | null)?.clients;
      const client = clients?.[clientId];
      if (!client) return 0;
      (client.conn as Socket).destroy();
      return 1;
    }
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await closed;
    }
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}

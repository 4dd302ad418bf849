/**
 * The console's HTTP server: the page, a JSON API behind it, and a Server-Sent Events stream that
 * tells the page when to refresh. Loopback by default; bound elsewhere it asks for a login.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FacilityService } from '../service.js';
import type { Directory } from '../directory-types.js';
import { hideUrlPasswords } from '../redact-url.js';
import type { FacilityStore } from '../ports.js';
import { ConsoleAuth } from './auth.js';
import { LOGIN, PAGE } from './page.js';
import { overview } from './view.js';

export interface ConsoleOptions {
  host: string;
  port: number;
  credentials: { username: string; password: string } | null;
  store: FacilityStore;
  directory: Directory;
  service: FacilityService;
  now: () => number;
}

const MAX_BODY = 16 * 1024;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (d: Buffer) => {
      s += d.toString();
      if (s.length > MAX_BODY) reject(new Error('request body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(value));
}

export class ConsoleServer {
  private server: http.Server | null = null;
  private readonly streams = new Set<ServerResponse>();
  private readonly auth: ConsoleAuth;

  constructor(private readonly o: ConsoleOptions) {
    this.auth = new ConsoleAuth(o.credentials);
  }

  /** Tells every open page that something changed. */
  changed(): void {
    for (const s of this.streams) s.write(`data: changed\n\n`);
  }

  async start(): Promise<{ url: string }> {
    const server = http.createServer((req, res) => {
      this.route(req, res).catch((err: Error) => json(res, 500, { error: hideUrlPasswords(err.message) }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const a = server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { url: `http://${host}:${a.port}/` };
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const now = this.o.now();
    if (url.pathname === '/login') return this.login(req, res, now);
    const loggedIn = this.auth.session(req, now);
    if (this.auth.required && !loggedIn) {
      if (url.pathname.startsWith('/api/')) return json(res, 401, { error: 'log in first' });
      res.writeHead(303, { location: '/login' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'" }).end(PAGE);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/overview') return json(res, 200, await overview(this.o.store, this.o.directory, now, loggedIn));
    if (req.method === 'GET' && url.pathname === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': live\n\n');
      this.streams.add(res);
      req.on('close', () => this.streams.delete(res));
      return;
    }
    const m = /^\/api\/cases\/([^/]+)\/(ack|close)$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      // A JSON body only: a cross-site form cannot send one, so a page elsewhere cannot act here.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return json(res, 415, { error: 'expected application/json' });
      const alarmId = decodeURIComponent(m[1]!);
      const by = String((JSON.parse((await body(req)) || '{}') as { by?: unknown }).by ?? 'console').slice(0, 80);
      if ((await this.o.store.getCase(alarmId)) === undefined) return json(res, 404, { error: `no case ${alarmId}` });
      if (m[2] === 'ack') await this.o.service.acknowledge(alarmId, by);
      else await this.o.store.closeCase(alarmId, by, now);
      this.changed();
      return json(res, 200, { ok: true, case: await this.o.store.getCase(alarmId) });
    }
    json(res, 404, { error: 'not found' });
  }

  private async login(req: IncomingMessage, res: ServerResponse, now: number): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN);
      return;
    }
    const form = new URLSearchParams(await body(req));
    if (!this.auth.check(form.get('username') ?? '', form.get('password') ?? '')) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN.replace('<form', '<p>Wrong user or password.</p><form'));
      return;
    }
    const token = this.auth.open(now);
    res.writeHead(303, { location: '/', 'set-cookie': `lw_session=${token}; HttpOnly; SameSite=Strict; Path=/` }).end();
  }
}

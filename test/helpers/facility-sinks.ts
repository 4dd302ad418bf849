/**
 * Real endpoints for the facility side's tests: an HTTP server that records webhook calls (and
 * answers what the test tells it to), and an SMTP server (smtp-server) that records mail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface HookCall {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, any>;
}

export async function webhookSink(): Promise<{ url: string; calls: HookCall[]; answers: number[]; close(): Promise<void> }> {
  const calls: HookCall[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) calls.push({ headers: req.headers, body, json: JSON.parse(body) as Record<string, any> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    calls,
    answers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface Mail {
  to: string[];
  raw: string;
}

export async function smtpSink(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

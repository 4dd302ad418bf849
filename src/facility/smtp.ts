/**
 * E-mail over SMTP (nodemailer). The Message-ID is made from the idempotency key, so a message
 * resent after a crash carries the same id and a mail system can recognise the repeat.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MessageSender, OutgoingMessage, SendResult } from './ports.js';

export interface SmtpOptions {
  /** smtp://host:port or smtps://host:port; credentials come separately. */
  url: string;
  from: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

export class SmtpSender implements MessageSender {
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly o: SmtpOptions) {
    const u = new URL(o.url);
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 25)),
      secure: u.protocol === 'smtps:',
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      ...(o.username !== undefined ? { auth: { user: o.username, pass: o.password ?? '' } } : {}),
    });
    this.domain = o.from.split('@')[1]?.replace(/>$/, '') ?? 'liftwatch.local';
  }

  async send(m: OutgoingMessage): Promise<SendResult> {
    const id = createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 32);
    try {
      await this.transport.sendMail({
        from: this.o.from,
        to: m.to.address,
        subject: m.subject,
        text: m.text,
        messageId: `<${id}@${this.domain}>`,
        headers: { 'X-Liftwatch-Idempotency-Key': m.idempotencyKey },
      });
      return { ok: true };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      // 5xx from the server is a permanent refusal (RFC 5321 §4.2.1); anything else may pass later.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      return { ok: false, retry: !permanent, error: `SMTP: ${e.message}` };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

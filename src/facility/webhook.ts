/**
 * The webhook adapter: the integration point for SMS gateways and CRMs. Each message is POSTed as
 * JSON with an idempotency key (the same on every retry, so the receiver drops repeats), a
 * timestamp and an HMAC-SHA256 signature over `<timestamp>.<body>` with the shared secret
 * (docs/facility.md). 2xx is delivered; 408, 429, 5xx and network errors are retried with
 * backoff by the sender; any other answer is a permanent failure, shown on the case.
 */
import { createHmac } from 'node:crypto';
import type { MessageSender, OutgoingMessage, SendResult } from './ports.js';

export const WEBHOOK_SCHEMA = 'liftwatch.facility.message/1';

export interface WebhookOptions {
  url: string;
  /** The shared secret; never logged or sent, only used to sign. */
  secret: string;
  timeoutMs: number;
  /** Wall clock in ms (injected for tests). */
  now: () => number;
}

export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function webhookBody(m: OutgoingMessage): string {
  return JSON.stringify({
    schema: WEBHOOK_SCHEMA,
    idempotencyKey: m.idempotencyKey,
    actionKeys: m.actionKeys,
    kind: m.kind,
    to: m.to,
    subject: m.subject,
    text: m.text,
    case: m.case,
  });
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class WebhookSender implements MessageSender {
  constructor(private readonly o: WebhookOptions) {}

  async send(m: OutgoingMessage): Promise<SendResult> {
    const body = webhookBody(m);
    const timestamp = String(Math.floor(this.o.now() / 1000));
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': m.idempotencyKey,
          'x-liftwatch-timestamp': timestamp,
          'x-liftwatch-signature': signature(this.o.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      return { ok: false, retry: retryable(res.status), error: `${new URL(this.o.url).host} answered HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs} ms` : (e.cause as Error | undefined)?.message ?? e.message;
      return { ok: false, retry: true, error: `${new URL(this.o.url).host}: ${why}` };
    }
  }
}

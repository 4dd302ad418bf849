/**
 * Sends what the outbox holds, when it is due: one message per group (a tenant hears once about
 * every lift of their building that failed together), retried with backoff while the way out
 * fails, given up on a permanent refusal (shown on the case). An operator call whose case was
 * acknowledged or closed in the meantime is dropped, not sent; so is a late repairer message whose
 * incident ended before it was due.
 */
import { createHash } from 'node:crypto';
import type { Channel } from './actions.js';
import { siteOf } from './actions.js';
import type { Case } from './cases.js';
import type { Directory } from './directory-types.js';
import type { ActionRecord, FacilityStore, MessageSender, OutgoingMessage } from './ports.js';
import { render } from './templates.js';

export interface DeliveryOptions {
  senders: Partial<Record<Channel, MessageSender>>;
  directory: Directory;
  now: () => number;
  /** First retry after this; doubled per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /**
   * How long a claim on an action lasts: another instance sends it after this if this one dies
   * mid-send. Longer than a send can take (the ways out time out well before).
   */
  claimMs: number;
  /** Reports each message sent or failed (the console, the log). */
  onResult?: (m: OutgoingMessage, actions: ActionRecord[], result: 'sent' | 'retry' | 'failed', error?: string) => void;
}

function groups(due: ActionRecord[]): ActionRecord[][] {
  const byGroup = new Map<string, ActionRecord[]>();
  const out: ActionRecord[][] = [];
  for (const a of due) {
    if (a.group === null) out.push([a]);
    else {
      const g = byGroup.get(a.group);
      if (g) g.push(a);
      else {
        const fresh = [a];
        byGroup.set(a.group, fresh);
        out.push(fresh);
      }
    }
  }
  return out;
}

function idempotencyKey(batch: ActionRecord[]): string {
  if (batch.length === 1) return batch[0]!.key;
  return 'group-' + createHash('sha256').update(batch.map((a) => a.key).sort().join('\n')).digest('hex').slice(0, 32);
}

function caseSummary(c: Case | undefined, withSteps: boolean): unknown {
  if (c === undefined) return null;
  if (withSteps) return c;
  const { steps, ...rest } = c;
  return { ...rest, stepCount: steps.length };
}

export class Delivery {
  private running = false;

  constructor(private readonly store: FacilityStore, private readonly o: DeliveryOptions) {}

  /** Sends every due action once; returns how many actions it settled (sent, failed or dropped). */
  async runOnce(limit = 200): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      let settled = 0;
      for (const batch of groups(await this.store.claimDue(this.o.now(), limit, this.o.claimMs))) settled += await this.sendBatch(batch);
      return settled;
    } finally {
      this.running = false;
    }
  }

  private async message(batch: ActionRecord[]): Promise<OutgoingMessage> {
    const first = batch[0]!;
    const c = first.alarmId ? await this.store.getCase(first.alarmId) : undefined;
    const site = siteOf(this.o.directory, first.siteId);
    const siteName = site?.name ?? c?.siteName ?? first.siteId;
    const lifts = [...new Set(batch.map((a) => a.liftLabel))];
    const lang = first.to.language;
    const vars = {
      site: siteName,
      lift: first.liftLabel,
      lifts,
      code: c?.code ?? '',
      severity: c?.severity ?? '',
      since: c?.confirmedAt ?? c?.occurredAt ?? '',
      floor: c?.floor ?? '?',
      case: first.alarmId,
      reason: first.reason ?? '',
    };
    const template = { tenant_out: 'tenantOut', tenant_back: 'tenantBack', repairer: 'repairer', operator: 'operator', crm: 'repairer' } as const;
    const text = render(template[first.kind], lang, vars);
    return {
      idempotencyKey: idempotencyKey(batch),
      actionKeys: batch.map((a) => a.key),
      kind: first.kind,
      to: first.to,
      subject: `[liftwatch] ${siteName}: ${lifts.join(', ')}${c ? ` ${c.code}` : ''}`,
      text,
      case: first.kind === 'crm' ? caseSummary(c, true) : caseSummary(c, false),
    };
  }

  private async sendBatch(batch: ActionRecord[]): Promise<number> {
    const ids = batch.map((a) => a.id);
    const first = batch[0]!;
    if ((first.kind === 'operator' || first.kind === 'repairer') && first.alarmId) {
      const c = await this.store.getCase(first.alarmId);
      const settled = first.kind === 'operator' ? c?.acknowledged === true || c?.status === 'closed' : c?.status === 'closed' && first.createdAt !== first.dueAt;
      if (settled) {
        await this.store.markSuperseded(ids);
        return batch.length;
      }
    }
    const m = await this.message(batch);
    const sender = this.o.senders[first.to.channel];
    if (sender === undefined) {
      const error = `no ${first.to.channel} channel is configured`;
      await this.store.markFailed(ids, error);
      this.o.onResult?.(m, batch, 'failed', error);
      return batch.length;
    }
    const r = await sender.send(m);
    if (r.ok) {
      await this.store.markSent(ids, this.o.now());
      this.o.onResult?.(m, batch, 'sent');
      return batch.length;
    }
    if (r.retry) {
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** first.attempts);
      await this.store.markRetry(ids, r.error, this.o.now() + backoff);
      this.o.onResult?.(m, batch, 'retry', r.error);
      return 0;
    }
    await this.store.markFailed(ids, r.error);
    this.o.onResult?.(m, batch, 'failed', r.error);
    return batch.length;
  }
}

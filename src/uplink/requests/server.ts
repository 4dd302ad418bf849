/**
 * Request/response over MQTT (zigbee2mqtt `bridge/request/*` → `bridge/response/*`): requests
 * on `<root>/request/<op>`, answers on `<root>/response/<op>`, or, with MQTT 5, on the
 * request's response topic with its correlation data ([MQTT-4.10.0], request/response).
 *
 * Every payload is validated against its op's schema before anything happens; an unknown op,
 * a malformed or invalid payload gets an error response and changes nothing. A retained
 * request is ignored: a request is an act at one moment, and a stale retained `reset` must not
 * end an alarm again every time the gateway reconnects.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Logger } from '../../ports/logger.js';
import type { InboundMessage, MessageHandler } from '../mqtt-uplink.js';
import type { PublishOptions } from '../../ports/uplink.js';
import { requestFilter, responseTopic } from '../topics.js';
import { RequestError } from './errors.js';
import { errorResponse, okResponse, transactionOf, type Transaction } from './response.js';
import { isRequestOp, REQUEST_SCHEMAS, type RequestBodies, type RequestOp } from './schemas.js';

export type RequestHandlers = {
  [K in RequestOp]: (body: RequestBodies[K]) => Promise<Record<string, unknown>> | Record<string, unknown>;
};

/** What the server needs from the uplink. */
export interface RequestUplink {
  subscribe(filter: string, handler: MessageHandler): void;
  unsubscribe(filter: string): void;
  publish(topic: string, payload: Record<string, unknown>, opts?: PublishOptions): Promise<void>;
}

export interface RequestServerOptions {
  uplink: RequestUplink;
  root: string;
  gatewayId: string;
  handlers: RequestHandlers;
  logger: Logger;
  /** Wall clock, epoch ms (for the response's `at`). */
  now: () => number;
}

export interface RequestCounters {
  received: number;
  answered: number;
  refused: number;
  ignoredRetained: number;
}

export class RequestServer {
  private readonly validators = new Map<RequestOp, ValidateFunction>();
  private ajv: Ajv | null = null;
  private readonly filter: string;
  private running = false;
  private readonly counters: RequestCounters = { received: 0, answered: 0, refused: 0, ignoredRetained: 0 };
  private readonly onMessage: MessageHandler = (m) => void this.handle(m);

  constructor(private readonly opts: RequestServerOptions) {
    this.filter = requestFilter(opts.root);
  }

  get stats(): Readonly<RequestCounters> {
    return { ...this.counters };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.opts.uplink.subscribe(this.filter, this.onMessage);
  }

  /**
   * The op's body validator, compiled on its first request: ajv (and the code it generates) is
   * loaded only once a request arrives, which most gateways never see.
   */
  private async validator(op: RequestOp): Promise<ValidateFunction> {
    let v = this.validators.get(op);
    if (!v) {
      this.ajv ??= new (await import('ajv')).Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
      v = this.ajv.compile(REQUEST_SCHEMAS[op]);
      this.validators.set(op, v);
    }
    return v;
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.opts.uplink.unsubscribe(this.filter);
  }

  /** Handles one request message; resolves when the response has been published (or failed). */
  async handle(m: InboundMessage): Promise<void> {
    if (!this.running) return;
    const op = m.topic.slice(m.topic.lastIndexOf('/') + 1);
    if (m.retain) {
      this.counters.ignoredRetained++;
      this.opts.logger.info('ignoring a retained request', { op, topic: m.topic });
      return;
    }
    this.counters.received++;
    let body: unknown;
    try {
      body = JSON.parse(m.payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    const transaction = transactionOf(body);
    const response = await this.answer(op, body, transaction);
    if (response['ok'] === true) this.counters.answered++;
    else this.counters.refused++;
    const topic = m.responseTopic ?? responseTopic(this.opts.root, op);
    const pubOpts: PublishOptions = m.correlationData !== undefined ? { correlationData: m.correlationData } : {};
    await this.opts.uplink.publish(topic, response, pubOpts).catch((err: Error & { code?: string }) => {
      this.opts.logger.warn('response not delivered', { op, topic, code: err.code, error: err.message });
    });
  }

  private async answer(op: string, body: unknown, transaction: Transaction): Promise<Record<string, unknown>> {
    const common = { op, transaction, gatewayId: this.opts.gatewayId };
    const fail = (code: string, message: string) => {
      this.opts.logger.info('request refused', { op, code, message });
      return errorResponse({ ...common, at: this.opts.now() }, code, message);
    };
    if (!isRequestOp(op)) return fail('UNKNOWN_OP', `unknown op ${JSON.stringify(op)}; expected one of ${Object.keys(REQUEST_SCHEMAS).join(', ')}`);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail('MALFORMED', 'expected a JSON object');
    const validate = await this.validator(op);
    if (!validate(body)) return fail('INVALID', describe(validate.errors ?? []));
    try {
      const data = await this.dispatch(op, body);
      this.opts.logger.info('request handled', { op, transaction });
      return okResponse({ ...common, at: this.opts.now() }, data);
    } catch (err) {
      if (err instanceof RequestError) return fail(err.code, err.message);
      this.opts.logger.error('request handler failed', { op, error: String(err) });
      return fail('INTERNAL', 'the request could not be carried out');
    }
  }

  private dispatch(op: RequestOp, body: object): Promise<Record<string, unknown>> | Record<string, unknown> {
    const h = this.opts.handlers;
    switch (op) {
      case 'ping':
        return h.ping(body);
      case 'rebirth':
        return h.rebirth(body);
      case 'ack':
        return h.ack(body as RequestBodies['ack']);
      case 'reset':
        return h.reset(body as RequestBodies['reset']);
      case 'test':
        return h.test(body as RequestBodies['test']);
    }
  }
}

function describe(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath === '' ? 'payload' : e.instancePath.slice(1).replace(/\//g, '.');
      if (e.keyword === 'additionalProperties') return `${where}: unexpected field ${String((e.params as { additionalProperty?: string }).additionalProperty)}`;
      return `${where}: ${e.message ?? e.keyword}`;
    })
    .join('; ');
}

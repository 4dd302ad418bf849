/**
 * Intake: the facility's subscription to the gateways' contract (docs/mqtt-api.md). Every
 * message is checked against the published schemas; one that does not follow them is counted and
 * named with its topic, and never reaches a case. An event is committed to the case store before
 * the broker gets its PUBACK (mqtt.js acknowledges a QoS 1 message only after `handleMessage`
 * calls back), so a crash between the two means a redelivery, never a loss.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { StepOutcome } from './cases.js';
import { ContractCheck, type MessageKind } from './contract-check.js';
import type { DataGapMessage, EventMessage, HealthMessage, StatusMessage } from './contract.js';

export interface IntakeOptions {
  url: string;
  /** Fixed, so the broker keeps the session (and queues QoS 1 messages) while the service is down. */
  clientId: string;
  /** Topic prefixes to follow (default `liftwatch`); every site and gateway under each. */
  topicPrefixes: string[];
  username?: string;
  password?: string;
}

export interface IntakeCounters {
  received: number;
  invalid: Record<MessageKind | 'unknown', number>;
  duplicates: number;
}

export interface IntakeHandlers {
  /** Commits one event (synchronously: the PUBACK follows); throws to withhold the PUBACK. */
  event(e: EventMessage, topic: string): { outcome: StepOutcome };
  onStatus?(s: StatusMessage, topic: string): void;
  onHealth?(h: HealthMessage): void;
  onDataGap?(g: DataGapMessage): void;
  onInvalid?(topic: string, kind: MessageKind | 'unknown', problem: string): void;
}

/** Which part of the contract a topic carries, from its last levels. */
export function kindOfTopic(topic: string): MessageKind | null {
  const levels = topic.split('/');
  const last = levels[levels.length - 1];
  if (last === 'event' && levels[levels.length - 3] === 'lift') return 'event';
  if (last === 'status' || last === 'health' || last === 'data_gap') return last;
  return null;
}

export function subscriptionsFor(prefix: string): string[] {
  return [`${prefix}/+/+/lift/+/event`, `${prefix}/+/+/status`, `${prefix}/+/+/health`, `${prefix}/+/+/data_gap`];
}

export class Intake {
  readonly counters: IntakeCounters = {
    received: 0,
    invalid: { event: 0, status: 0, health: 0, data_gap: 0, unknown: 0 },
    duplicates: 0,
  };
  private client: MqttClient | null = null;
  private readonly check = new ContractCheck();

  constructor(private readonly listener: IntakeHandlers) {}

  /** Handles one received message; exported for the adapter below and for tests of the rules. */
  receive(topic: string, payload: Buffer | string): void {
    this.counters.received++;
    const kind = kindOfTopic(topic);
    if (kind === null) return this.invalid(topic, 'unknown', 'not a topic of the liftwatch contract');
    const r = this.check.check(kind, payload);
    if (!r.ok) return this.invalid(topic, kind, r.problem);
    switch (kind) {
      case 'event': {
        const e = r.value as EventMessage;
        if (this.listener.event(e, topic).outcome === 'duplicate') this.counters.duplicates++;
        return;
      }
      case 'status':
        return this.listener.onStatus?.(r.value as StatusMessage, topic);
      case 'health':
        return this.listener.onHealth?.(r.value as HealthMessage);
      case 'data_gap':
        return this.listener.onDataGap?.(r.value as DataGapMessage);
    }
  }

  async start(o: IntakeOptions): Promise<void> {
    const opts: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const client = mqtt.connect(o.url, opts);
    this.client = client;
    // mqtt.js sends the PUBACK of a QoS 1 message only once this calls back: commit first.
    client.handleMessage = (packet, done) => {
      try {
        this.receive(packet.topic, packet.payload);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const topics = o.topicPrefixes.flatMap(subscriptionsFor);
    await client.subscribeAsync(topics, { qos: 1 });
  }

  /** Publishes a request to a gateway (QoS 1, never retained: docs/mqtt-api.md). */
  async request(topic: string, payload: object): Promise<void> {
    if (this.client === null) throw new Error('the intake is not connected');
    await this.client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: false });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
    this.client = null;
  }

  private invalid(topic: string, kind: MessageKind | 'unknown', problem: string): void {
    this.counters.invalid[kind]++;
    this.listener.onInvalid?.(topic, kind, problem);
  }
}

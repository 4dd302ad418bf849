/**
 * Intake: the facility's subscription to the gateways' contract (docs/mqtt-api.md). Every
 * message is checked against the published schemas; one that does not follow them is counted and
 * named with its topic, and never reaches a case. An event is committed to the case store before
 * the broker gets its PUBACK (mqtt.js acknowledges a QoS 1 message only after `handleMessage`
 * calls back, and it calls back only once the store's commit has resolved), so a crash between the
 * two means a redelivery, never a loss. With `sharedGroup`, several instances share the
 * subscription (MQTT 5 `$share/<group>/…`): the broker gives each message to one of them.
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
  /** An MQTT 5 shared subscription group: instances in the same group share the messages. */
  sharedGroup?: string;
}

export interface IntakeCounters {
  received: number;
  invalid: Record<MessageKind | 'unknown', number>;
  duplicates: number;
}

export interface IntakeHandlers {
  /** Commits one event; the PUBACK follows once it resolves; a rejection withholds the PUBACK. */
  event(e: EventMessage, topic: string): Promise<{ outcome: StepOutcome }>;
  onStatus?(s: StatusMessage, topic: string): Promise<void>;
  onHealth?(h: HealthMessage): Promise<void>;
  onDataGap?(g: DataGapMessage): Promise<void>;
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
  async receive(topic: string, payload: Buffer | string): Promise<void> {
    this.counters.received++;
    const kind = kindOfTopic(topic);
    if (kind === null) return this.invalid(topic, 'unknown', 'not a topic of the liftwatch contract');
    const r = this.check.check(kind, payload);
    if (!r.ok) return this.invalid(topic, kind, r.problem);
    switch (kind) {
      case 'event': {
        const e = r.value as EventMessage;
        if ((await this.listener.event(e, topic)).outcome === 'duplicate') this.counters.duplicates++;
        return;
      }
      case 'status':
        return await this.listener.onStatus?.(r.value as StatusMessage, topic);
      case 'health':
        return await this.listener.onHealth?.(r.value as HealthMessage);
      case 'data_gap':
        return await this.listener.onDataGap?.(r.value as DataGapMessage);
    }
  }

  async start(o: IntakeOptions): Promise<void> {
    const shared = o.sharedGroup !== undefined;
    const opts: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      // Shared subscriptions are MQTT 5; there a session outlives the connection only when asked to.
      ...(shared ? { protocolVersion: 5, properties: { sessionExpiryInterval: 0xffffffff } } : { protocolVersion: 4 }),
      reconnectPeriod: 1000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const client = mqtt.connect(o.url, opts);
    this.client = client;
    // mqtt.js sends the PUBACK of a QoS 1 message only once this calls back: commit first.
    client.handleMessage = (packet, done) => {
      this.receive(packet.topic, packet.payload).then(() => done(), (err: Error) => done(err));
    };
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const topics = o.topicPrefixes.flatMap(subscriptionsFor).map((x) => (shared ? `$share/${o.sharedGroup}/${x}` : x));
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

/**
 * The uplink's ports, implemented by uplink/mqtt-uplink.ts (and by fakes in tests).
 */
export type UplinkEvent = 'connect' | 'disconnect';

/** What the dispatcher needs from an uplink. */
export interface UplinkPort {
  readonly connected: boolean;
  /** `payload`: an object, or its JSON text already serialized. */
  publish(topic: string, payload: Record<string, unknown> | string, opts?: PublishOptions): Promise<void>;
  on(event: UplinkEvent, listener: () => void): void;
  off(event: UplinkEvent, listener: () => void): void;
}

export interface PublishOptions {
  retain?: boolean;
  /** MQTT 5 only: echoed to a requester that asked for it ([MQTT-4.10.0]). Ignored on 3.1.1. */
  correlationData?: Buffer;
}

/** What the agent needs from the uplink: start, stop, retained state. */
export interface UplinkLifecycle {
  start(): void;
  stop(): Promise<void>;
  /** Remembered and re-published on every connect (retained state survives a broker restart). */
  setRetained(topic: string, payload: Record<string, unknown>): void;
  readonly connected: boolean;
}

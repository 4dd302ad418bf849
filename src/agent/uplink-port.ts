/** What the agent needs from the uplink (implemented by uplink/mqtt-uplink.ts). */
export interface UplinkPort {
  start(): void;
  stop(): Promise<void>;
  /** Remembered and re-published on every connect (retained state survives a broker restart). */
  setRetained(topic: string, payload: Record<string, unknown>): void;
  readonly connected: boolean;
}

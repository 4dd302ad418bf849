/**
 * The uplink's supervisor rule: notice a client that is alive on paper and makes no progress,
 * so the uplink can throw it away and build a new one (thingsboard-gateway #2086: a client
 * stuck until the process restarts; fixed there by supervising the client loop).
 *
 * Two stalls are recognised:
 * - `connect-timeout`: CONNECT sent (or TCP pending) and no CONNACK within `connectMs`.
 *   mqtt.js has a CONNACK timer of its own; this is the independent second line.
 * - `no-traffic`: connected and nothing at all received for `stallMs`. A healthy connection
 *   receives something at least every keep-alive: a PUBACK, a message, or the PINGRESP the
 *   client provokes with a PINGREQ after `keepalive` seconds of silence ([MQTT-3.1.2-23],
 *   [MQTT-3.12.4-1]). So the default is 2 keep-alives plus a margin.
 *
 * Pure: the caller passes every time (monotonic ms).
 */

export interface StallLimits {
  connectMs: number;
  stallMs: number;
}

export type StallVerdict = 'connect-timeout' | 'no-traffic' | null;

export interface ConnectionProgress {
  phase: 'idle' | 'connecting' | 'connected';
  /** When the current connection attempt began. */
  attemptStartedAt: number;
  /** Last MQTT packet received on the current connection (the CONNACK at the latest). */
  lastPacketInAt: number;
}

export function defaultStallLimits(keepaliveSec: number, connectTimeoutMs: number): StallLimits {
  return {
    connectMs: connectTimeoutMs + 5_000,
    stallMs: keepaliveSec > 0 ? 2 * keepaliveSec * 1000 + 5_000 : Number.POSITIVE_INFINITY,
  };
}

export function stallVerdict(p: ConnectionProgress, now: number, limits: StallLimits): StallVerdict {
  if (p.phase === 'connecting' && now - p.attemptStartedAt > limits.connectMs) return 'connect-timeout';
  if (p.phase === 'connected' && now - p.lastPacketInAt > limits.stallMs) return 'no-traffic';
  return null;
}

/** How often to evaluate the rule: often enough to act within ~25 % of the shorter limit. */
export function checkEveryMs(limits: StallLimits): number {
  const shorter = Math.min(limits.connectMs, limits.stallMs);
  return Math.max(50, Math.min(5_000, Math.floor(shorter / 4)));
}

/**
 * Reconnect delay: exponential from `minMs`, capped at `maxMs`, plus up to 20 % random jitter
 * so a fleet of gateways does not reconnect in lock-step after a broker restart.
 */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base + base * 0.2 * random());
}

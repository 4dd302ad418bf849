/**
 * How a simulated lift picks the landing of its next automatic trip: part of a traffic
 * profile (traffic.ts). Pure: the caller's seeded PRNG is the only source of randomness.
 */
import type { Prng } from './prng.js';

export type CallPattern =
  /** Any landing but the one the car stands at (a two-stop shuttle just alternates). */
  | { kind: 'random' }
  /**
   * Lobby traffic (an up-peak, an express car): from the lobby to a landing at least
   * `minFloors` away, from anywhere else back to the lobby.
   */
  | { kind: 'lobby'; lobby: number; minFloors: number };

export function nextLanding(pattern: CallPattern, here: number, landings: number, prng: Prng): number {
  if (landings < 2) return here;
  if (pattern.kind === 'lobby') {
    const lobby = Math.max(0, Math.min(landings - 1, pattern.lobby));
    if (here !== lobby) return lobby;
    const far: number[] = [];
    for (let l = 0; l < landings; l++) if (Math.abs(l - lobby) >= Math.max(1, pattern.minFloors)) far.push(l);
    if (far.length > 0) return far[prng.int(0, far.length - 1)] ?? lobby;
  }
  const pick = prng.int(0, landings - 2);
  return pick >= here ? pick + 1 : pick;
}

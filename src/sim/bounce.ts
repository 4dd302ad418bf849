/**
 * Contact bounce: at every real transition of a mechanical contact (a door limit switch, the
 * lock contact, the door-zone vane switch, the main contactor's auxiliary contact, a safety
 * chain relay), the contact reads back and forth a few times before it settles on its new
 * value. Time-stepped and seeded like the lift model: no clock, no Math.random.
 */
import { Prng } from './prng.js';
import type { SimSignals } from './register-image.js';

/** The contacts that bounce: the mechanical ones of the status word. */
export const BOUNCING_CONTACTS = ['safetyChain', 'doorZone', 'doorOpenLimit', 'doorClosedLimit', 'doorLocked', 'moving'] as const;
export type BouncingContact = (typeof BOUNCING_CONTACTS)[number];

export interface BounceSpec {
  /** The bounce interval after a transition is uniform in [minMs, maxMs]. */
  minMs: number;
  maxMs: number;
  /** Reversals within it (the old value read again, then the new), uniform in [min, max]. */
  minReversals: number;
  maxReversals: number;
}

/** Relays and snap-action switches settle within a few tens of ms, worn ones in up to ~150 ms. */
export const DEFAULT_BOUNCE: Readonly<BounceSpec> = { minMs: 20, maxMs: 150, minReversals: 1, maxReversals: 3 };

interface Window {
  /** Time since the transition. */
  t: number;
  /** Times (since the transition) at which the reading flips; an even count, the last = the end. */
  flips: number[];
}

export class ContactBounce {
  private readonly spec: BounceSpec;
  private readonly prng: Prng;
  private readonly settled = new Map<BouncingContact, boolean>();
  private readonly windows = new Map<BouncingContact, Window>();
  /** Transitions seen, and bounce intervals started (one per transition). */
  transitions = 0;

  constructor(spec: BounceSpec, seed: number) {
    this.spec = spec;
    this.prng = new Prng(seed);
  }

  /**
   * Feeds the settled contacts after `dtMs` of simulated time. A contact that changed starts
   * its bounce interval now; a change during an interval starts a new one.
   */
  step(contacts: Readonly<Record<BouncingContact, boolean>>, dtMs: number): void {
    for (const c of BOUNCING_CONTACTS) {
      const w = this.windows.get(c);
      if (w) {
        w.t += dtMs;
        if (w.t >= (w.flips[w.flips.length - 1] ?? 0)) this.windows.delete(c);
      }
      const before = this.settled.get(c);
      if (before !== undefined && before !== contacts[c]) {
        this.windows.set(c, { t: 0, flips: this.pattern() });
        this.transitions++;
      }
      this.settled.set(c, contacts[c]);
    }
  }

  /** The contacts as read now: one inside its bounce interval may read its old value. */
  apply(s: SimSignals): void {
    for (const [c, w] of this.windows) {
      let flipped = 0;
      for (const f of w.flips) if (f <= w.t) flipped++;
      if (flipped % 2 === 1) s[c] = !s[c];
    }
  }

  /** True while `contact` is inside a bounce interval. */
  bouncing(contact: BouncingContact): boolean {
    return this.windows.has(contact);
  }

  private pattern(): number[] {
    const { minMs, maxMs, minReversals, maxReversals } = this.spec;
    const total = this.prng.int(minMs, maxMs);
    const reversals = this.prng.int(minReversals, maxReversals);
    // 2 * reversals segments of random length (1..3 parts), scaled to the interval: new, old, new, ...
    const parts = Array.from({ length: 2 * reversals }, () => 1 + 2 * this.prng.next());
    const sum = parts.reduce((a, b) => a + b, 0);
    const flips: number[] = [];
    let at = 0;
    for (const p of parts) {
      at += (p / sum) * total;
      flips.push(at);
    }
    flips[flips.length - 1] = total;
    return flips;
  }
}

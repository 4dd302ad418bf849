/**
 * Time-ordered UUIDs, version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, the version,
 * a 12-bit counter (RFC 9562 §6.2, method 1: "fixed bit-length dedicated counter"), the
 * variant and 62 random bits. Ids made one after another sort one after another, so a UNIQUE
 * index over them grows at its right edge instead of touching a random leaf per insert, and
 * deleting the oldest rows deletes from its left edge (the scale benchmark, docs/performance.md: the
 * `event_id` index of a 1M-event store). Uniqueness rests on the 62 random bits, as a v4's
 * rests on its 122: the order is an optimisation, never a guarantee anything relies on.
 */
import { randomFillSync } from 'node:crypto';

/** Random bytes fetched per refill: one system call per 256 ids. */
const ID_BYTES = 10; // 2 to seed the counter, 8 for the variant and the 62 random bits
const POOL_BYTES = 256 * ID_BYTES;
const COUNTER_MAX = 0xfff;

/**
 * A generator with its own monotonic state. Within one generator the ids strictly increase,
 * even when `now` stalls or steps back (a clock set backwards): the timestamp then stays at the
 * last one used and the counter goes on; when the counter is spent the timestamp is moved one
 * millisecond ahead (RFC 9562 §6.2, "counter rollover handling").
 */
export function uuidV7Generator(now: () => number = Date.now): () => string {
  const pool = Buffer.alloc(POOL_BYTES);
  let used = POOL_BYTES;
  let lastMs = -1;
  let counter = 0;
  const random = (): Buffer => {
    if (used === POOL_BYTES) {
      randomFillSync(pool);
      used = 0;
    }
    const bytes = pool.subarray(used, used + ID_BYTES);
    used += ID_BYTES;
    return bytes;
  };
  return (): string => {
    const rnd = random();
    const ms = Math.floor(now());
    if (ms > lastMs) {
      lastMs = ms;
      // A random start with the top bit clear leaves at least 2048 ids of room in this ms
      // (RFC 9562 §6.2: guard against rollover by seeding the counter with its MSB at 0).
      counter = ((rnd[0] as number) << 3 | (rnd[1] as number) >> 5) & 0x7ff;
    } else if (++counter > COUNTER_MAX) {
      lastMs += 1;
      counter = 0;
    }
    const ts = lastMs.toString(16).padStart(12, '0').slice(-12);
    const verCounter = (0x7000 | counter).toString(16);
    // Variant 0b10 in the top two bits of octet 8 (RFC 9562 §4.1), then 62 random bits.
    rnd[2] = ((rnd[2] as number) & 0x3f) | 0x80;
    const tail = rnd.toString('hex', 2, ID_BYTES);
    return `${ts.slice(0, 8)}-${ts.slice(8)}-${verCounter}-${tail.slice(0, 4)}-${tail.slice(4)}`;
  };
}

/** The process-wide generator: the outbox's eventIds and the agent's alarmIds. */
export const newUuidV7: () => string = uuidV7Generator();

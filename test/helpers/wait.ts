/**
 * The one way a test waits for something that must happen: polls `fn` until it returns a truthy
 * value and returns that value, or throws naming `what` when the deadline (stretched by
 * PATIENCE, see patience.ts) passes. Throwing, not returning false: a wait that times out is a
 * failure with its reason, never a silent `false` an assertion might forget to check.
 */
import { patient } from './patience.js';

export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'the condition'): Promise<T> {
  const waitMs = patient(timeoutMs);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${waitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

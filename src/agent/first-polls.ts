/**
 * Resolves once every lift has had its first poll result, answered or failed (a bus that cannot
 * be opened fails each of its lifts' polls), or after a bound: the first health message then
 * describes buses that have been opened, instead of a start-up state in which every bus is
 * closed and every unit unknown.
 */
import type { Clock } from '../ports/clock.js';
import type { Agent } from './agent.js';

export interface FirstPolls {
  /** Resolves when every lift has been polled once, or at the bound; never after cancel(). */
  done: Promise<void>;
  cancel(): void;
}

export function firstPolls(agent: Pick<Agent, 'on'>, liftIds: readonly string[], boundMs: number, clock: Clock): FirstPolls {
  let cancel = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const waiting = new Set(liftIds);
    let done = false;
    let off = (): void => undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      off();
      resolve();
    };
    cancel = () => {
      done = true;
      clock.clearTimeout(timer);
      off();
    };
    const timer = clock.setTimeout(finish, boundMs);
    off = agent.on({
      poll: (r) => {
        if (done) return;
        waiting.delete(r.liftId);
        if (waiting.size === 0) finish();
      },
    });
    if (waiting.size === 0) finish();
  });
  return { done, cancel: () => cancel() };
}

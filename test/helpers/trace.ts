/**
 * Runs a timed trace through the core the way the real driver does: before each input it
 * sends a 'tick' at every `nextDeadline` that falls before the input. Pure (no clock, no
 * timer): used by the tests, the scenario corpus and anyone replaying a recorded trace.
 */
import type { AlarmEvent, CoreEffect, CoreInput, IdSource, Instant } from '../../src/core/types.js';
import { initialState, snapshots, step, type CoreConfig, type CoreState } from '../../src/core/engine.js';

/** A core invariant broken while replaying a trace; `code` is stable. */
export class TraceError extends Error {
  constructor(readonly code: 'CORE_DEADLINE_NOT_AFTER_INPUT', message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

/** Ids 'A1', 'A2', ... : deterministic ids for tests and replays. */
export function sequentialIds(prefix = 'A'): IdSource {
  let n = 0;
  return { newId: () => `${prefix}${++n}` };
}

export class TraceDriver {
  state: CoreState;
  readonly effects: CoreEffect[] = [];
  nextDeadline: number | null = null;
  /** The last instant fed, to place ticks on the same mono/wall offset. */
  private last: Instant;

  constructor(
    private readonly cfg: CoreConfig,
    start: Instant,
    private readonly ids: IdSource,
    restored?: AlarmEvent[],
    history?: AlarmEvent[],
  ) {
    this.state = initialState(cfg, start, restored, history);
    this.last = start;
  }

  /** Ticks every deadline strictly before `mono`. */
  runUntil(mono: number): CoreEffect[] {
    const out: CoreEffect[] = [];
    while (this.nextDeadline !== null && this.nextDeadline < mono) {
      const at: Instant = { mono: this.nextDeadline, wall: this.last.wall + (this.nextDeadline - this.last.mono) };
      out.push(...this.apply({ kind: 'tick', at }));
    }
    return out;
  }

  /** Feeds one input after ticking the deadlines before it. */
  feed(input: CoreInput): CoreEffect[] {
    const out = this.runUntil(input.at.mono);
    out.push(...this.apply(input));
    return out;
  }

  /** Feeds one input without ticking first (a driver that never sleeps on nextDeadline). */
  feedWithoutTicks(input: CoreInput): CoreEffect[] {
    return this.apply(input);
  }

  private apply(input: CoreInput): CoreEffect[] {
    const r = step(this.cfg, this.state, input, this.ids);
    if (r.nextDeadline !== null && r.nextDeadline <= input.at.mono) {
      throw new TraceError('CORE_DEADLINE_NOT_AFTER_INPUT', `core returned deadline ${r.nextDeadline} not after its input at ${input.at.mono}`);
    }
    this.state = r.state;
    this.nextDeadline = r.nextDeadline;
    this.last = input.at;
    this.effects.push(...r.effects);
    return r.effects;
  }

  events(): AlarmEvent[] {
    return this.effects.flatMap((e) => (e.type === 'event' ? [e.event] : []));
  }

  snapshots() {
    return snapshots(this.state);
  }
}

// The Modbus bus poller with a manual clock and an in-memory link: the inter-frame gap is kept
// between a reply and the next request on the shared line (several RTU slaves on one port
// collide otherwise, as other gateways' users found), each lift is polled at its own interval,
// and a gap of 0 sets no timer between back-to-back requests (the agent's CPU per transaction in
// the field-bus benchmark).
import t from 'tap';
import { BusPoller, type PolledLift, type PollResult } from '../src/field/bus-poller.js';
import type { ModbusLink, ReadRequestLike } from '../src/ports/modbus-link.js';
import type { TcpBusConfig } from '../src/config/types.js';
import type { Clock, TimerHandle } from '../src/ports/clock.js';
import { ManualClock, silentLogger } from './frames-helpers.js';
import { FieldError } from '../src/field/errors.js';

/** Answers every read after `replyMs` of clock time; records when each request started and ended. */
class FakeLink implements ModbusLink {
  isOpen = false;
  readonly requests: Array<{ unitId: number; start: number; end: number }> = [];
  constructor(
    private readonly clock: ManualClock,
    private readonly replyMs: number,
  ) {}
  async open(): Promise<void> {
    this.isOpen = true;
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
  onClose(): void {}
  read(unitId: number, req: ReadRequestLike): Promise<number[]> {
    const start = this.clock.now().mono;
    const answer = (): number[] => {
      this.requests.push({ unitId, start, end: this.clock.now().mono });
      return Array.from({ length: req.count }, () => 0);
    };
    if (this.replyMs === 0) return Promise.resolve(answer());
    return new Promise((resolve) => this.clock.setTimeout(() => resolve(answer()), this.replyMs));
  }
}

/** Counts the timers the poller sets. */
class CountingClock implements Clock {
  timers = 0;
  constructor(private readonly inner: ManualClock) {}
  now() {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers++;
    return this.inner.setTimeout(fn, ms);
  }
  clearTimeout(h: TimerHandle): void {
    this.inner.clearTimeout(h);
  }
}

function bus(interFrameGapMs: number): TcpBusConfig {
  return { id: 'b', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: 1, timeoutMs: 100, retries: 0, interFrameGapMs };
}

/** An open link whose reads `read` answers. */
function fakeLink(read: ModbusLink['read']): ModbusLink {
  return { isOpen: true, open: async () => undefined, close: async () => undefined, onClose: () => undefined, read };
}

function lifts(n: number, pollIntervalMs: number): PolledLift[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `L${i + 1}`,
    unitId: i + 1,
    pollIntervalMs,
    plan: { requests: [{ table: 'holding' as const, address: 0, count: 5 }], decode: () => ({ moving: false }) },
  }));
}

void t.test('the inter-frame gap separates a reply from the next request; each lift keeps its interval', async (t) => {
  const clock = new ManualClock();
  const link = new FakeLink(clock, 3);
  const results: PollResult[] = [];
  const poller = new BusPoller(bus(5), link, lifts(3, 100), clock, silentLogger, (r) => results.push(r));
  poller.start();
  await clock.advance(1000);
  const stopped = poller.stop(); // a read in flight is answered by the clock
  await clock.advance(10);
  await stopped;
  t.ok(link.requests.length >= 25, `polled (${link.requests.length} requests)`);
  t.ok(results.every((r) => r.ok), 'every poll succeeded');
  for (let i = 1; i < link.requests.length; i++) {
    const prev = link.requests[i - 1]!;
    const cur = link.requests[i]!;
    t.ok(cur.start - prev.end >= 5, `request ${i} starts ${cur.start - prev.end} ms after the previous reply`);
  }
  for (const unit of [1, 2, 3]) {
    const starts = link.requests.filter((r) => r.unitId === unit).map((r) => r.start);
    for (let i = 1; i < starts.length; i++) t.ok(starts[i]! - starts[i - 1]! >= 100, `unit ${unit} not polled faster than its interval`);
    t.ok(starts.length >= 9, `unit ${unit} polled ${starts.length} times in 1 s at 100 ms`);
  }
});

void t.test('a gap of 0: lifts that are due are polled back to back without a timer between them', async (t) => {
  const manual = new ManualClock();
  const clock = new CountingClock(manual);
  const link = new FakeLink(manual, 0);
  const poller = new BusPoller(bus(0), link, lifts(4, 100), clock, silentLogger, () => undefined);
  poller.start();
  await manual.advance(0);
  t.same(link.requests.map((r) => r.unitId), [1, 2, 3, 4], 'all four due lifts polled at once');
  t.ok(link.requests.every((r) => r.start === 0), 'at the same instant');
  t.equal(clock.timers, 1, 'one timer: the wait for the next due lift, none between the polls');
  await manual.advance(100);
  t.same(link.requests.map((r) => r.unitId), [1, 2, 3, 4, 1, 2, 3, 4], 'polled again after their interval');
  await poller.stop();
});

/** A clock whose timers all fire `lateMs` after they were due, as an event loop's do. */
class LateClock implements Clock {
  timers = 0;
  constructor(
    private readonly inner: ManualClock,
    private readonly lateMs: number,
  ) {}
  now() {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers++;
    return this.inner.setTimeout(fn, ms + this.lateMs);
  }
  clearTimeout(h: TimerHandle): void {
    this.inner.clearTimeout(h);
  }
}

void t.test('late timers neither slow the poll rate nor split one cycle of a bus into a wake-up per unit', async (t) => {
  const manual = new ManualClock();
  const clock = new LateClock(manual, 2);
  const link = new FakeLink(manual, 1);
  const poller = new BusPoller(bus(0), link, lifts(4, 100), clock, silentLogger, () => undefined);
  poller.start();
  await manual.advance(10_000);
  const stopped = poller.stop();
  await manual.advance(10);
  await stopped;
  for (const unit of [1, 2, 3, 4]) {
    const n = link.requests.filter((r) => r.unitId === unit).length;
    // A fixed delay from each poll's start adds every timer's lateness to every interval: 98 here.
    t.ok(n >= 100, `unit ${unit} polled ${n} times in 10 s at 100 ms`);
  }
  const cycles = link.requests.length / 4;
  t.ok(clock.timers <= cycles + 1, `${clock.timers} timers for ${cycles} cycles: one wake-up a cycle, the units polled back to back`);
});

void t.test('the next request is on the wire before the agent handles the previous answer (the slave is not kept waiting)', async (t) => {
  const clock = new ManualClock();
  const written: number[] = [];
  const link = fakeLink((unitId) => {
    written.push(unitId);
    return new Promise((resolve) => clock.setTimeout(() => resolve([unitId, 0, 0, 0, 0]), 2));
  });
  const seen: Array<{ liftId: string; writtenBefore: number[]; at: number }> = [];
  const poller = new BusPoller(bus(0), link, lifts(3, 100), clock, silentLogger, (r) => {
    seen.push({ liftId: r.liftId, writtenBefore: [...written], at: r.at.mono });
  });
  poller.start();
  await clock.advance(50);
  t.same(seen.map((s) => s.liftId), ['L1', 'L2', 'L3'], 'every answer handed on, in order, within the cycle');
  t.same(seen[0]?.writtenBefore, [1, 2], "L1's answer handed on once L2's request was written");
  t.same(seen[1]?.writtenBefore, [1, 2, 3], "L2's answer handed on once L3's request was written");
  t.same(seen[2]?.writtenBefore, [1, 2, 3], "the cycle's last answer handed on before the wait, not held until the next cycle");
  t.same(seen.map((s) => s.at), [2, 4, 6], 'each result keeps the time its answer arrived');
  const stopped = poller.stop();
  await clock.advance(10);
  await stopped;
});

void t.test('answers equal to the last poll are not decoded again: the same frozen values are handed on', async (t) => {
  const clock = new ManualClock();
  // Unit 1 answers the same registers twice, then a changed register, then that again.
  const answers = [[1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [1, 0, 2, 0, 0], [1, 0, 2, 0, 0]];
  let n = 0;
  const link = fakeLink(async () => [...(answers[Math.min(n++, answers.length - 1)] ?? [])]);
  let decodes = 0;
  const lift: PolledLift = {
    id: 'L1', unitId: 1, pollIntervalMs: 100,
    plan: {
      requests: [{ table: 'holding', address: 0, count: 5 }],
      decode: (results) => {
        decodes++;
        return { moving: results[0]?.[0] === 1, floor: Number(results[0]?.[2] ?? 0) };
      },
    },
  };
  const results: PollResult[] = [];
  const poller = new BusPoller(bus(0), link, [lift], clock, silentLogger, (r) => results.push(r));
  poller.start();
  for (let i = 0; i < 4; i++) await clock.advance(i === 0 ? 0 : 100);
  await poller.stop();
  const values = results.flatMap((r) => (r.ok ? [r.values] : []));
  t.equal(values.length, 4, 'four good polls');
  t.equal(decodes, 2, 'decoded only when the answers changed');
  t.equal(values[1], values[0], 'the repeated answer hands on the same object');
  t.not(values[2], values[1], 'a changed answer gives new values');
  t.same(values[2], { moving: true, floor: 2 }, 'decoded from the new answer');
  t.equal(values[3], values[2]);
  t.ok(values.every((v) => Object.isFrozen(v)), 'frozen: the core relies on samples never changing');
});

void t.test('a timed-out request is retried bus.retries times, a Modbus exception is not retried', async (t) => {
  /** Unit 1 times out `timeouts` times, then answers; unit 2 answers with an exception. */
  const run = async (timeouts: number, retries: number): Promise<{ reads: number[]; results: PollResult[] }> => {
    const clock = new ManualClock();
    const reads: number[] = [];
    let failed = 0;
    const link = fakeLink(async (unitId) => {
      reads.push(unitId);
      if (unitId === 2) throw new FieldError('illegal data address', 'EXCEPTION', { bus: 'b', unitId, modbusCode: 2 });
      if (failed < timeouts) {
        failed++;
        throw new FieldError('no answer within the timeout', 'TIMEOUT', { bus: 'b', unitId });
      }
      return [0, 0, 0, 0, 0];
    });
    const results: PollResult[] = [];
    const poller = new BusPoller({ ...bus(0), retries }, link, lifts(2, 1000), clock, silentLogger, (r) => results.push(r));
    poller.start();
    await clock.advance(0);
    await poller.stop();
    return { reads, results: results.filter((r) => r.at.mono < 1000) };
  };
  const ok = await run(2, 2);
  t.same(ok.reads.filter((u) => u === 1).length, 3, 'unit 1: the first attempt and 2 retries');
  t.ok(ok.results.find((r) => r.liftId === 'L1')?.ok, 'the third attempt answers: a good poll');
  t.same(ok.reads.filter((u) => u === 2).length, 1, 'unit 2: an exception is the slave\'s answer, not retried');
  const l2 = ok.results.find((r) => r.liftId === 'L2');
  t.equal(l2 && !l2.ok ? l2.error.code : null, 'EXCEPTION');
  const out = await run(3, 2);
  t.same(out.reads.filter((u) => u === 1).length, 3, 'no fourth attempt with retries: 2');
  const l1 = out.results.find((r) => r.liftId === 'L1');
  t.equal(l1 && !l1.ok ? l1.error.code : null, 'TIMEOUT', 'the last timeout is the poll\'s failure');
});

// Fuzz, like the Modbus path (test/fuzz-modbus.test.ts): over 100k garbled, truncated,
// bad-checksum, overlong and noise frames through the real frames reader, for both template
// profiles. The reader must not throw or stall, must count what it skips, must never hold
// more than its cap, and must still decode the intact frames among the noise and a clean
// frame afterwards. Seeded, so a failure reproduces.
import t from 'tap';
import type { PollResult } from '../src/field/bus-poller.js';
import { FramesBusReader } from '../src/field/frames/frames-reader.js';
import { compileProtocol } from '../src/protocol/frames/protocol.js';
import { loadProfile } from '../src/config/profiles.js';
import { statusFrame } from '../src/sim/frames/binary-protocol.js';
import { statusLine } from '../src/sim/frames/ascii-protocol.js';
import { Prng } from '../src/sim/prng.js';
import { BUS, FakeStream, ManualClock, silentLogger, simSignals } from './frames-helpers.js';

const FRAMES = 100_000;

type Mutation = 'good' | 'badChecksum' | 'truncated' | 'flip' | 'noise' | 'overlong' | 'doubled';
const MUTATIONS: Mutation[] = ['good', 'good', 'good', 'badChecksum', 'truncated', 'flip', 'noise', 'overlong', 'doubled'];

function xorAt(b: Buffer, i: number, v: number): void {
  b[i] = (b[i] ?? 0) ^ v;
}

function run(format: 'binary' | 'ascii', seed: number) {
  const prng = new Prng(seed);
  const clock = new ManualClock();
  const stream = new FakeStream();
  const results: PollResult[] = [];
  const profile = format === 'binary' ? 'binary-enquiry-example' : 'ascii-printer-example';
  const cap = 512;
  const reader = new FramesBusReader({ ...BUS, maxBufferBytes: cap }, stream, compileProtocol(loadProfile(profile)),
    [{ id: 'A', unitId: 1, pollIntervalMs: 1_000_000 }], clock, silentLogger, (r) => results.push(r));
  reader.start();
  const encode = (code: number): Buffer =>
    format === 'binary' ? statusFrame(1, simSignals({ faultCode: code })) : Buffer.from(statusLine(1, simSignals({ faultCode: code % 1000 })), 'latin1');
  const seen: Record<Mutation, number> = { good: 0, badChecksum: 0, truncated: 0, flip: 0, noise: 0, overlong: 0, doubled: 0 };
  let maxBuffered = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const deliver = (): void => {
    // Re-chunk at random boundaries, as a UART driver does.
    const all = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    let i = 0;
    while (i < all.length) {
      const n = prng.int(1, 64);
      reader.onData(all.subarray(i, i + n));
      maxBuffered = Math.max(maxBuffered, reader.stats().bufferedBytes);
      i += n;
    }
  };
  for (let k = 0; k < FRAMES; k++) {
    const m = MUTATIONS[prng.int(0, MUTATIONS.length - 1)] ?? 'good';
    seen[m]++;
    let f = Buffer.from(encode(k % 1000));
    if (m === 'badChecksum') xorAt(f, f.length - (format === 'binary' ? 1 : 5), 0x01 << prng.int(0, 6));
    else if (m === 'truncated') f = f.subarray(0, prng.int(1, f.length - 1));
    else if (m === 'flip') xorAt(f, prng.int(0, f.length - 1), 1 << prng.int(0, 7));
    else if (m === 'noise') {
      f = Buffer.alloc(prng.int(1, 40));
      for (let i = 0; i < f.length; i++) f[i] = prng.int(0, 3) === 0 ? 0x02 : prng.int(0, 255);
    } else if (m === 'overlong') {
      // Binary: a length field beyond maxFrameLength, then a run of start bytes; ASCII: a line past the cap.
      f = format === 'binary'
        ? Buffer.concat([Buffer.from([0x02, 0x01, 0x31, 0xf0]), Buffer.alloc(prng.int(8, 64), 0x02)])
        : Buffer.alloc(prng.int(cap, 3 * cap), 0x41);
    }
    else if (m === 'doubled') f = Buffer.concat([f.subarray(0, prng.int(1, 3)), f]);
    pending.push(f);
    pendingBytes += f.length;
    if (pendingBytes > 4096) deliver();
  }
  deliver();
  return { clock, stream, results, reader, seen, maxBuffered, cap };
}

for (const [format, seed] of [['binary', 8], ['ascii', 9]] as const) {
  void t.test(`${format}: ${FRAMES} mangled frames through the reader`, async (t) => {
    const r = run(format, seed);
    await r.clock.advance(BUS.timeoutMs + 1); // the line goes quiet: a pending partial frame is dropped
    const st = r.reader.stats();
    const c = st.frames;
    t.ok(r.maxBuffered <= r.cap + 1, `buffer never above the cap (${r.maxBuffered} <= ${r.cap} + a split terminator)`);
    t.equal(st.bufferedBytes, 0, 'nothing left pending after the line went quiet');
    t.ok(c.badChecksum + c.badFrame + c.overlong + c.unmatched + c.partialDropped > r.seen.badChecksum / 2, 'noise counted');
    t.ok(c.discardedBytes > 0, 'skipped bytes counted');
    // Each intact frame is found, unless a truncated/noise frame before it swallowed its head
    // (ASCII: a line with no terminator runs into the next one) — so a floor, not equality.
    // ASCII has no checksum and a doubled line head breaks the line, so only `good` is intact
    // there, and a line after a truncated, noise or overlong one (a third) is lost with it.
    const intact = format === 'binary' ? r.seen.good + r.seen.doubled : r.seen.good;
    t.ok(c.decoded >= intact * (format === 'binary' ? 0.99 : 0.55), `decoded ${c.decoded} of ${intact} intact frames`);
    t.ok(c.decoded <= intact + r.seen.flip, 'no frames invented beyond the plausible');
    if (format === 'binary') t.ok(c.badChecksum >= r.seen.badChecksum * 0.9, `bad checksums counted (${c.badChecksum})`);
    else t.ok(c.overlong >= r.seen.overlong * 0.75, `overlong lines counted (${c.overlong}; consecutive ones merge)`);
    t.comment(JSON.stringify({ format, seen: r.seen, counters: c }));

    // No stall: the next clean frame is decoded at once.
    r.reader.onData(format === 'binary' ? statusFrame(1, simSignals({ floor: 3, faultCode: 4242 })) : Buffer.from(statusLine(1, simSignals({ floor: 3, faultCode: 424 })), 'latin1'));
    t.equal(r.reader.stats().frames.decoded, c.decoded + 1, 'a clean frame after the noise is decoded');
    await r.reader.stop();
  });
}

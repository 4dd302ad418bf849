// The frames bus reader with a manual clock and an in-memory byte stream: polled
// (binary enquiry/response, two lifts on one line) and unprompted (ASCII printer) modes, the
// failures the core counts towards CONTROLLER_COMM_LOST, and a clean stop.
import t from 'tap';
import type { PollResult } from '../src/field/bus-poller.js';
import { FramesBusReader, type FramesLift } from '../src/field/frames/frames-reader.js';
import { compileProtocol } from '../src/protocol/frames/protocol.js';
import { loadProfile } from '../src/config/profiles.js';
import { parseEnquiries, statusFrame } from '../src/sim/frames/binary-protocol.js';
import { statusLine } from '../src/sim/frames/ascii-protocol.js';
import { BUS, FakeStream, ManualClock, silentLogger, simSignals } from './frames-helpers.js';

function setup(profile: string, lifts: FramesLift[]) {
  const clock = new ManualClock();
  const stream = new FakeStream();
  const results: PollResult[] = [];
  const reader = new FramesBusReader(BUS, stream, compileProtocol(loadProfile(profile)), lifts, clock, silentLogger, (r) => results.push(r));
  return { clock, stream, results, reader };
}

void t.test('binary enquiry/response: two lifts, a silent one, a noisy one', async (t) => {
  const { clock, stream, results, reader } = setup('binary-enquiry-example', [
    { id: 'A', unitId: 1, pollIntervalMs: 200 },
    { id: 'B', unitId: 2, pollIntervalMs: 200 },
  ]);
  const answering = new Set([1, 2]);
  let corruptA = false;
  stream.onWrite = (data) => {
    for (const unit of parseEnquiries(data).units) {
      if (!answering.has(unit)) continue;
      const f = statusFrame(unit, simSignals({ floor: unit, faultCode: unit === 2 ? 31 : 0 }));
      if (unit === 1 && corruptA) f[f.length - 1] = (f[f.length - 1] ?? 0) ^ 0xff;
      // Answer in two pieces, as a slow line delivers it.
      setImmediate(() => {
        stream.receive(f.subarray(0, 5));
        stream.receive(f.subarray(5));
      });
    }
  };
  reader.start();
  await clock.advance(1000);
  const okA = results.filter((r) => r.ok && r.liftId === 'A');
  const okB = results.filter((r) => r.ok && r.liftId === 'B');
  t.ok(okA.length >= 4 && okB.length >= 4, `both lifts answered (${okA.length}, ${okB.length})`);
  const b = okB[0];
  t.ok(b?.ok && b.values.floor === 2 && b.values.faultCode === 31 && b.values.doorOpenLimit === true, 'decoded values');
  t.notOk(results.some((r) => !r.ok), 'no failures on a clean line');

  answering.delete(2);
  results.length = 0;
  await clock.advance(3000);
  const failB = results.filter((r) => !r.ok && r.liftId === 'B');
  t.ok(failB.length >= 3, `the silent unit fails its polls (${failB.length})`);
  t.ok(failB.every((r) => !r.ok && r.error.code === 'TIMEOUT'), 'as timeouts');
  t.ok(failB.length < 15, 'and is backed off');
  t.ok(results.filter((r) => r.ok && r.liftId === 'A').length >= 10, 'the other unit is not starved');

  corruptA = true;
  results.length = 0;
  await clock.advance(1000);
  const failA = results.filter((r) => !r.ok && r.liftId === 'A');
  t.ok(failA.length >= 1 && failA.every((r) => !r.ok && r.error.code === 'CRC'), 'bad checksums fail as CRC');
  corruptA = false;
  answering.add(2);
  await clock.advance(6000);
  t.ok(results.at(-1)?.ok && results.at(-2)?.ok, 'recovers');
  const st = reader.stats();
  t.ok(st.frames.badChecksum >= 1, 'bad checksums counted');
  t.equal(st.bufferedBytes, 0);
  t.ok(stream.written.every((w) => w.length === 6), 'enquiries are 6 bytes');

  await reader.stop();
  t.equal(clock.pendingTimers, 0, 'stop leaves no timer');
  t.equal(stream.isOpen, false, 'and closes the port');
});

void t.test('ascii printer: unprompted lines, silence, noise, port that cannot open', async (t) => {
  const { clock, stream, results, reader } = setup('ascii-printer-example', [{ id: 'P', unitId: 3, pollIntervalMs: 100 }]);
  reader.start();
  await clock.advance(10);
  stream.receive(Buffer.from(statusLine(3, simSignals({ floor: 4, alarmButton: true })) + 'FLT 3 072 OVERSPEED\r\n', 'latin1'));
  await clock.advance(300);
  const ok = results.filter((r) => r.ok);
  t.ok(ok.length >= 2, 'fresh values reported every poll interval');
  const last = ok.at(-1);
  t.ok(last?.ok && last.values.floor === 4 && last.values.alarmButton === true && last.values.faultCode === 72, 'status and fault lines merged');
  stream.receive(Buffer.from('CLR 3 072\r\n', 'latin1'));
  await clock.advance(100);
  const cleared = results.at(-1);
  t.ok(cleared?.ok && cleared.values.faultCode === 0, 'a CLR line clears the code');

  results.length = 0;
  await clock.advance(1000);
  t.ok(results.some((r) => !r.ok && r.error.code === 'TIMEOUT'), 'silence longer than silenceTimeoutMs fails polls');
  results.length = 0;
  stream.receive(Buffer.from('\x00\xff#@!\r\nST 9 bogus\r\n', 'latin1'));
  await clock.advance(100);
  t.ok(results.some((r) => !r.ok && r.error.code === 'BAD_FRAME'), 'noise instead of status: BAD_FRAME');
  t.ok(reader.stats().frames.unmatched >= 2);
  stream.receive(Buffer.from('ST 7 F01 S0801 A0 DN E000\r\n', 'latin1'));
  t.equal(reader.stats().frames.unknownUnit, 1, 'a line for another unit is counted');

  await reader.stop();
  t.equal(clock.pendingTimers, 0);
});

void t.test('a port that cannot be opened fails every lift\'s polls and is retried', async (t) => {
  const { clock, stream, results, reader } = setup('binary-enquiry-example', [{ id: 'A', unitId: 1, pollIntervalMs: 200 }]);
  stream.failOpen = true;
  reader.start();
  await clock.advance(5000);
  t.ok(results.length >= 3 && results.every((r) => !r.ok && r.error.code === 'LINK_DOWN'), 'LINK_DOWN');
  t.ok(reader.stats().openFailures >= 3, 'retried with backoff');
  stream.failOpen = false;
  await clock.advance(5000);
  t.equal(stream.opens, 1, 'opened once it can');
  await reader.stop();
  t.equal(clock.pendingTimers, 0);
});

// The simulator's plain-frames link: the binary enquiry/response and the ASCII
// printer protocols, and the link-fault behaviours the reader must survive, checked through
// the shipped template profiles.
import t from 'tap';
import { FramesLink } from '../src/sim/frames/frames-link.js';
import { SimulatedLift } from '../src/sim/simulated-lift.js';
import { enquiryFrame } from '../src/sim/frames/binary-protocol.js';
import { compileProtocol } from '../src/protocol/frames/protocol.js';
import { loadProfile } from '../src/config/profiles.js';
import { isFramesTarget, parseFramesTarget } from '../src/sim/sim-target.js';

function lifts() {
  const m = new Map([[1, new SimulatedLift({ unitId: 1, landings: 4, autoTrips: false, startFloor: 2 })]]);
  return { resolve: (u: number) => m.get(u), units: () => [...m.keys()], lift: m.get(1)! };
}

void t.test('binary: answers its enquiry, and each link fault', async (t) => {
  const l = lifts();
  const link = new FramesLink({ protocol: 'binary', ...l });
  const proto = compileProtocol(loadProfile('binary-enquiry-example'));
  const framer = proto.newFramer(4096);
  const ask = (): Buffer[] => link.receive(enquiryFrame(1)).flatMap((b) => framer.push(b));

  const [f] = ask();
  t.equal(proto.decode(f!)?.values.floor, 2, 'status frame for the unit');
  t.same(link.receive(enquiryFrame(9)), [], 'another unit: silence');
  t.same(link.receive(Buffer.concat([enquiryFrame(1).subarray(0, 3)])), [], 'half an enquiry: wait');
  const stitched = link.receive(enquiryFrame(1).subarray(3)).flatMap((x) => framer.push(x));
  t.equal(stitched.length, 1, 'the rest arrives: answered once');
  l.lift.inject({ kind: 'silent' });
  t.same(ask(), [], 'silent');
  l.lift.remove('silent');
  l.lift.inject({ kind: 'bad-crc' });
  t.same(ask(), [], 'bad CRC: not a frame');
  t.ok(framer.counters.badChecksum >= 1);
  l.lift.remove('bad-crc');
  l.lift.inject({ kind: 'exception' });
  const nak = ask();
  t.equal(nak.length, 1);
  t.equal(proto.decode(nak[0]!), null, 'a NAK is a frame but no status');
  l.lift.remove('exception');
  l.lift.inject({ kind: 'garbage' });
  const behindNoise = [...ask(), ...framer.expire()];
  t.ok(behindNoise.some((x) => proto.decode(x)?.values.floor === 2), 'the status frame is found behind noise');
  l.lift.remove('garbage');
  t.equal(link.stats().unknownUnit, 1);
});

void t.test('ascii: status every period, FLT and CLR on a fault code change', async (t) => {
  const l = lifts();
  const link = new FramesLink({ protocol: 'ascii', ...l });
  const proto = compileProtocol(loadProfile('ascii-printer-example'));
  const framer = proto.newFramer(4096);
  const period = () => link.periodic().flatMap((b) => framer.push(b)).map((f) => proto.decode(f));
  t.same(period().map((d) => d?.message), ['status']);
  l.lift.inject({ kind: 'fault-code', code: 45 });
  const flt = period();
  t.same(flt.map((d) => d?.message), ['fault', 'status']);
  t.equal(flt[0]?.values.faultCode, 45);
  l.lift.remove('fault-code');
  const clr = period();
  t.same(clr.map((d) => d?.message), ['fault-cleared', 'status']);
  t.equal(clr[1]?.values.faultCode, 0);
  l.lift.inject({ kind: 'short-frame' });
  t.same(period(), [], 'a truncated line is not a line');
  l.lift.remove('short-frame');
  t.same(period().map((d) => d), [null], 'the truncated line ran into the next one: unmatched');
  t.same(link.receive(Buffer.from('?')), [], 'the printer ignores input');
});

void t.test('simulate targets for plain frames', async (t) => {
  t.ok(isFramesTarget('ascii:/dev/pts/3'));
  t.notOk(isFramesTarget('/dev/pts/3'));
  t.same(parseFramesTarget('binary:/tmp/a@19200'), { protocol: 'binary', path: '/tmp/a', baudRate: 19200 });
  t.same(parseFramesTarget('ascii:/tmp/a'), { protocol: 'ascii', path: '/tmp/a' });
  t.throws(() => parseFramesTarget('ascii:tmp'), { code: 'SIM_BAD_TARGET' });
});

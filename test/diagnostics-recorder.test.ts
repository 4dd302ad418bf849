// The diagnostics recorder keeps, per lift, the last poll as it came and the last good values
// (one record updated in place per poll); `signals` reads them through rawOf/lastGoodOf.
import t from 'tap';
import { DiagnosticsRecorder, type Listenable } from '../src/diagnostics/recorder.js';
import type { PollResult } from '../src/field/bus-poller.js';
import { FieldError } from '../src/field/errors.js';

void t.test('rawOf: the last poll, good or failed; lastGoodOf: the last good values', async (t) => {
  let poll: (r: PollResult) => void = () => undefined;
  const agent: Listenable = {
    on: (l) => {
      if (l.poll) poll = l.poll;
      return () => undefined;
    },
  };
  const rec = new DiagnosticsRecorder(agent);
  t.equal(rec.rawOf('L1'), null, 'nothing before the first poll');
  t.equal(rec.lastGoodOf('L1'), null);
  const good = Object.freeze({ doorZone: true, floor: 2 });
  poll({ ok: true, liftId: 'L1', at: { mono: 1, wall: 1_000 }, values: good, rttMs: 3.5 });
  t.same(rec.rawOf('L1'), { at: 1_000, values: good, rttMs: 3.5, error: null });
  t.equal(rec.lastGoodOf('L1'), good);
  poll({ ok: false, liftId: 'L1', at: { mono: 2, wall: 2_000 }, error: new FieldError('no answer', 'TIMEOUT', { bus: 'b', unitId: 1 }) });
  t.same(rec.rawOf('L1'), { at: 2_000, values: null, rttMs: null, error: 'TIMEOUT: no answer' }, 'the failure, as the signals view shows it');
  t.equal(rec.lastGoodOf('L1'), good, 'the last good values are kept through a failure');
  t.equal(rec.rawOf('L2'), null, 'per lift');
  poll({ ok: false, liftId: 'L2', at: { mono: 3, wall: 3_000 }, error: new FieldError('closed', 'LINK_DOWN', { bus: 'b' }) });
  t.equal(rec.lastGoodOf('L2'), null, 'a lift that never answered has no good values');
});

/**
 * `liftwatch end-alarm --lift ID`: the EN 81-28 end of alarm, given on site by a competent
 * person. Goes to the core's `endOfAlarm` input with source `cli`; the resulting end_of_alarm
 * events are committed and published like any other. Only on the full-access socket.
 */
import { CODE } from './exit-codes.js';
import { needAgent, withSession, type DiagOptions } from './context.js';

export function endAlarm(o: DiagOptions & { lift: string; by?: string }): Promise<number> {
  return withSession(o, async (s) => {
    const r = await needAgent(s).request<{ liftId: string; ended: Array<{ alarmId: string; code: string }>; stillActive: number }>('end-alarm', {
      lift: o.lift,
      ...(o.by ? { by: o.by } : {}),
    });
    if (s.out.json) s.out.printJson(r);
    else if (r.ended.length) s.out.print(`Lift ${r.liftId}: end of alarm given; ended ${r.ended.map((a) => `${a.code} (${a.alarmId})`).join(', ')}.`);
    else s.out.print(`Lift ${r.liftId}: end of alarm given; no alarm was waiting for it${r.stillActive ? ` (${r.stillActive} alarm(s) stay active until their condition clears)` : ''}.`);
    return CODE.OK;
  });
}

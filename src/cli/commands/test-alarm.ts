/**
 * `liftwatch test-alarm --lift ID`: an EN 81-28 test call through the whole chain (core →
 * SQLite → MQTT), answered only once the broker has acknowledged the TEST_CALL event. Exit 6
 * when it was stored but not acknowledged in time (it is still delivered later).
 */
import { CODE } from './exit-codes.js';
import { needAgent, withSession, type DiagOptions } from './context.js';

export function testAlarm(o: DiagOptions & { lift: string; timeout: string }): Promise<number> {
  return withSession(o, async (s) => {
    const timeoutMs = Math.max(1, Number(o.timeout) || 15) * 1000;
    const r = await needAgent(s).request<{ liftId: string; seq: number; eventId: string; topic: string; acknowledgedAfterMs: number }>(
      'test-alarm',
      { lift: o.lift, timeoutMs },
      timeoutMs + 5000,
    );
    if (s.out.json) s.out.printJson(r);
    else s.out.print(`Lift ${r.liftId}: TEST_CALL stored as seq ${r.seq} and acknowledged by the broker after ${r.acknowledgedAfterMs} ms on ${r.topic}`);
    return CODE.OK;
  });
}

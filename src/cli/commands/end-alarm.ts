/**
 * `liftwatch end-alarm --lift ID`: the EN 81-28 end of alarm, given on site by a competent
 * person. Goes to the core's `endOfAlarm` input with source `cli`; the resulting end_of_alarm
 * events are committed and published like any other. Only on the full-access socket.
 */
import type { Command } from 'commander';
import { CODE } from './exit-codes.js';
import { diagCommand, needAgent, withSession, type DiagOptions } from './context.js';

export function register(program: Command): void {
  diagCommand(program, 'end-alarm', 'end of alarm on site (EN 81-28) for one lift: ends PASSENGER_TRAPPED and other latched alarms', [
    'sudo -u liftwatch liftwatch end-alarm --lift A --by "J. Smith"',
  ])
    .requiredOption('-l, --lift <id>', 'the lift')
    .option('--by <name>', 'who gives the end of alarm (recorded in the event)')
    .action(async (o: DiagOptions & { lift: string; by?: string }) => {
      process.exitCode = await withSession(o, async (s) => {
        const r = await needAgent(s).request<{ liftId: string; ended: Array<{ alarmId: string; code: string }>; stillActive: number }>('end-alarm', {
          lift: o.lift,
          ...(o.by ? { by: o.by } : {}),
        });
        if (s.out.json) s.out.printJson(r);
        else if (r.ended.length) s.out.print(`Lift ${r.liftId}: end of alarm given; ended ${r.ended.map((a) => `${a.code} (${a.alarmId})`).join(', ')}.`);
        else s.out.print(`Lift ${r.liftId}: end of alarm given; no alarm was waiting for it${r.stillActive ? ` (${r.stillActive} alarm(s) stay active until their condition clears)` : ''}.`);
        return CODE.OK;
      });
    });
}

/** `liftwatch outbox`: what waits for the broker, by priority, and what was evicted. */
import type { Command } from 'commander';
import { outboxView, type OutboxView } from '../../diagnostics/views.js';
import { CODE } from './exit-codes.js';
import { diagCommand, offlineNote, withSession, type DiagOptions } from './context.js';
import { renderOutbox } from './status.js';

export function register(program: Command): void {
  diagCommand(program, 'outbox', 'pending events by priority, oldest undelivered age, evictions', ['liftwatch outbox', 'liftwatch outbox --json'])
    .action(async (o: DiagOptions) => {
      process.exitCode = await withSession(o, async (s) => {
        let v: OutboxView;
        if (s.client) v = await s.client.request<OutboxView>('outbox');
        else {
          const reader = s.reader();
          if (!reader || s.why?.code === 'ACCESS_DENIED') throw s.why;
          try {
            v = outboxView(reader.outboxStats(), Date.now());
            offlineNote(s, reader.path);
          } finally {
            reader.close();
          }
        }
        if (s.out.json) s.out.printJson(v);
        else s.out.print(renderOutbox(v, Date.now()));
        return CODE.OK;
      });
    });
}

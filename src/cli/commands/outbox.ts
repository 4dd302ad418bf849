/** `liftwatch outbox`: what waits for the broker, by priority, and what was evicted. */
import { outboxView, type OutboxView } from '../../diagnostics/views.js';
import { CODE } from './exit-codes.js';
import { type DiagOptions, offlineNote, whyOffline, withSession } from './context.js';
import { renderOutbox } from './status.js';

export function outbox(o: DiagOptions): Promise<number> {
  return withSession(o, async (s) => {
    let v: OutboxView;
    if (s.client) v = await s.client.request<OutboxView>('outbox');
    else {
      const reader = await s.reader();
      if (!reader || s.why?.code === 'ACCESS_DENIED') throw whyOffline(s);
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
}

/**
 * What each MQTT request does to the agent (src/uplink/requests/server.ts validates and
 * answers). Everything goes through the core's inputs, so a remote act is committed to the
 * outbox and published as an event like any other:
 * - `ack`   → `acknowledge`: the facility has taken the alarm (EN 81-28: the alarm is repeated
 *             until acknowledged), giving an `acknowledged` event.
 * - `reset` → `endOfAlarm` with source `remote`: EN 81-28 gives the end of alarm on site by a
 *             competent person, and a remote reset must also be possible.
 * - `test`  → `testCall` with source `remote`: a test event through the whole chain.
 */
import type { LiftSnapshot } from '../core/types.js';
import { RequestError } from '../uplink/requests/errors.js';
import type { RequestHandlers } from '../uplink/requests/server.js';

/** The agent as the handlers see it. */
export interface RequestTarget {
  snapshots(): LiftSnapshot[];
  acknowledge(alarmId: string, by?: string): void;
  endOfAlarm(liftId: string, source: 'remote', by?: string): void;
  testCall(liftId: string, source: 'remote'): void;
}

export interface RequestHandlerDeps {
  agent: RequestTarget;
  liftIds: string[];
  /** Re-publishes birth and every retained message; resolves with how many. */
  republish: () => Promise<number>;
  session: number;
  version: string;
  /** Seconds since the agent started. */
  uptimeSec: () => number;
}

export function requestHandlers(d: RequestHandlerDeps): RequestHandlers {
  const lifts = new Set(d.liftIds);
  const knownLift = (liftId: string): void => {
    if (!lifts.has(liftId)) throw new RequestError('UNKNOWN_LIFT', `no lift ${JSON.stringify(liftId)} on this gateway; known: ${d.liftIds.join(', ')}`);
  };
  const activeOf = (liftId?: string) =>
    d.agent
      .snapshots()
      .filter((s) => liftId === undefined || s.liftId === liftId)
      .flatMap((s) => s.activeAlarms.map((a) => ({ ...a, liftId: s.liftId })));

  return {
    ping: () => ({ pong: true, session: d.session, version: d.version, uptimeSec: d.uptimeSec() }),

    rebirth: async () => {
      try {
        return { republished: await d.republish() };
      } catch (err) {
        throw new RequestError('NOT_CONNECTED', `rebirth incomplete: ${(err as Error).message}`);
      }
    },

    ack: ({ alarmId, by }) => {
      const alarm = activeOf().find((a) => a.alarmId === alarmId);
      if (!alarm) throw new RequestError('UNKNOWN_ALARM', `no active alarm ${JSON.stringify(alarmId)}`);
      d.agent.acknowledge(alarmId, by);
      return { alarmId, liftId: alarm.liftId, code: alarm.code };
    },

    reset: ({ liftId, by }) => {
      knownLift(liftId);
      const before = activeOf(liftId).map((a) => a.alarmId);
      d.agent.endOfAlarm(liftId, 'remote', by);
      const after = new Set(activeOf(liftId).map((a) => a.alarmId));
      return { liftId, ended: before.filter((id) => !after.has(id)) };
    },

    test: ({ liftId }) => {
      knownLift(liftId);
      d.agent.testCall(liftId, 'remote');
      return { liftId };
    },
  };
}

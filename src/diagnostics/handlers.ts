/**
 * What each diagnostics request does. Reads come from the agent's live state; `history` from a
 * read-only connection to the outbox file. The two state-changing requests go through the
 * core's inputs like every other act, so they are committed to the outbox and published:
 * - `end-alarm`  → `endOfAlarm` with source `cli` (EN 81-28: end of alarm on site by a competent person);
 * - `test-alarm` → `testCall` with source `cli`, answered once the broker has acknowledged the
 *   TEST_CALL event (PUBACK), i.e. after the whole chain field → core → store → uplink.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import { liftCoverage, type LiftCoverage } from '../config/wired-signals.js';
import type { SignalValues } from '../core/signals.js';
import type { LiftSnapshot } from '../core/types.js';
import type { BusStats } from '../field/bus-poller.js';
import type { Outbox } from '../ports/outbox.js';
import { redactUrl } from '../uplink/credentials.js';
import { DiagnosticsError } from './protocol.js';
import type { DiagnosticsRecorder } from './recorder.js';
import type { Handlers } from './server.js';
import type { StoreReader } from './store-reader.js';
import { outboxView, parseSince } from './views.js';

/** The agent as diagnostics sees it (src/agent/agent.ts). */
export interface DiagnosedAgent {
  readonly startedAt: number | null;
  snapshots(): LiftSnapshot[];
  busStats(): BusStats[];
  signalValues(liftId: string): SignalValues | null;
  endOfAlarm(liftId: string, source: 'cli', by?: string): void;
  testCall(liftId: string, source: 'cli'): void;
}

export interface HandlerDeps {
  config: Config;
  agent: DiagnosedAgent;
  outbox: Outbox;
  uplink: { readonly connected: boolean; readonly stats: { connects: number; lastConnectAt: number | null } };
  dispatcher: { readonly stats: { lastPubackAt: number | null; acked: number; inflight: number } };
  recorder: DiagnosticsRecorder;
  reader: StoreReader;
  session: number;
  version: string;
  now: () => number;
  /** Resolves after `ms` (injected so tests need no real waiting). */
  sleep: (ms: number) => Promise<void>;
  /** The lifts' profiles: `status` then says which codes each lift's wiring can detect. */
  profiles?: Map<string, DeviceProfile>;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function diagnosticsHandlers(d: HandlerDeps): Handlers {
  const lifts = new Map(d.config.lifts.map((l) => [l.id, l] as const));
  // Wiring does not change while the agent runs: computed once.
  const coverage = new Map<string, LiftCoverage>();
  for (const l of d.config.lifts) {
    const profile = d.profiles?.get(l.profile);
    try {
      if (profile) coverage.set(l.id, liftCoverage(l, profile));
    } catch {
      // Left out of `status` rather than keeping the diagnostics from starting.
    }
  }
  const landing = (liftId: string, idx: number | null): string | null =>
    idx === null ? null : (lifts.get(liftId)?.landings[idx] ?? String(idx));
  const liftArg = (args: Record<string, unknown>, required: boolean): string | undefined => {
    const id = args['lift'];
    if (id === undefined && !required) return undefined;
    if (typeof id !== 'string' || !lifts.has(id)) {
      throw new DiagnosticsError('UNKNOWN_LIFT', `no lift ${JSON.stringify(id)} on this gateway; known: ${[...lifts.keys()].join(', ')}`);
    }
    return id;
  };
  const alarms = (liftId?: string) =>
    d.agent
      .snapshots()
      .filter((s) => liftId === undefined || s.liftId === liftId)
      .flatMap((s) =>
        s.activeAlarms.map((a) => ({ alarmId: a.alarmId, liftId: s.liftId, code: a.code, severity: a.severity, since: iso(a.since), floor: landing(s.liftId, s.floor), lifecycle: 'active' })),
      );

  return {
    ping: () => ({ pong: true, pid: process.pid }),

    status: () => {
      const now = d.now();
      return {
        agent: {
          version: d.version,
          pid: process.pid,
          startedAt: iso(d.agent.startedAt),
          uptimeSec: d.agent.startedAt === null ? 0 : Math.round((now - d.agent.startedAt) / 1000),
          configFile: d.config.file,
          session: d.session,
          site: d.config.site.id,
          gateway: d.config.gateway.id,
        },
        uplink: {
          broker: redactUrl(d.config.uplink.url),
          connected: d.uplink.connected,
          connects: d.uplink.stats.connects,
          lastConnectAt: iso(d.uplink.stats.lastConnectAt),
          lastPubackAt: iso(d.dispatcher.stats.lastPubackAt),
          acked: d.dispatcher.stats.acked,
          inflight: d.dispatcher.stats.inflight,
        },
        buses: d.agent.busStats(),
        lifts: d.agent.snapshots().map((s) => ({
          id: s.liftId,
          label: lifts.get(s.liftId)?.label ?? s.liftId,
          link: s.link,
          mode: s.mode,
          floor: landing(s.liftId, s.floor),
          moving: s.moving,
          doors: s.doors,
          activeAlarms: s.activeAlarms.map((a) => a.code),
          lastSampleAt: iso(s.lastSampleAt),
          // Added field (older CLIs ignore it): every code, detectable or what to wire for it.
          ...(coverage.has(s.liftId) ? { coverage: coverage.get(s.liftId) } : {}),
        })),
        outbox: outboxView(d.outbox.stats(), now),
      };
    },

    alarms: (args) => alarms(liftArg(args, false)),

    history: (args) => {
      const liftId = liftArg(args, false);
      const since = parseSince(typeof args['since'] === 'string' ? args['since'] : '24h', d.now());
      if (since === null) throw new DiagnosticsError('BAD_REQUEST', `since: expected e.g. 24h, 30m, 7d or an ISO date, got ${JSON.stringify(args['since'])}`);
      const limit = typeof args['limit'] === 'number' ? args['limit'] : 1000; // 1..MAX_HISTORY_LIMIT (./args.ts)
      return d.reader.history({ ...(liftId ? { liftId } : {}), since, limit });
    },

    signals: (args) => {
      const only = liftArg(args, false);
      return d.config.lifts
        .filter((l) => only === undefined || l.id === only)
        .map((l) => {
          const raw = d.recorder.rawOf(l.id);
          return {
            liftId: l.id,
            label: l.label,
            rawAt: iso(raw?.at ?? null),
            rttMs: raw?.rttMs ?? null,
            error: raw?.error ?? null,
            raw: raw?.values ?? d.recorder.lastGoodOf(l.id),
            debounced: d.agent.signalValues(l.id),
          };
        });
    },

    outbox: () => outboxView(d.outbox.stats(), d.now()),

    'end-alarm': (args) => {
      const liftId = liftArg(args, true) as string;
      const by = typeof args['by'] === 'string' ? args['by'] : undefined;
      const before = alarms(liftId);
      d.agent.endOfAlarm(liftId, 'cli', by);
      const after = new Set(alarms(liftId).map((a) => a.alarmId));
      return { liftId, ended: before.filter((a) => !after.has(a.alarmId)).map((a) => ({ alarmId: a.alarmId, code: a.code })), stillActive: [...after].length };
    },

    'test-alarm': async (args) => {
      const liftId = liftArg(args, true) as string;
      const timeoutMs = typeof args['timeoutMs'] === 'number' ? args['timeoutMs'] : 15_000;
      const started = d.now();
      const before = d.outbox.lastSeq();
      d.agent.testCall(liftId, 'cli');
      for (;;) {
        const ev = d.recorder.testCallAfter(liftId, before);
        const delivered = ev !== null && d.outbox.pending(1, { afterSeq: ev.seq - 1, upToSeq: ev.seq }).length === 0;
        if (ev && delivered) {
          return { liftId, seq: ev.seq, eventId: ev.eventId, alarmId: ev.alarmId, topic: ev.topic, acknowledgedAfterMs: d.now() - started };
        }
        if (d.now() - started > timeoutMs) {
          if (!ev) throw new DiagnosticsError('TIMEOUT', `no TEST_CALL event was committed for lift ${liftId} within ${timeoutMs} ms`);
          throw new DiagnosticsError(
            'TIMEOUT',
            `TEST_CALL stored as seq ${ev.seq} but the broker has not acknowledged it within ${timeoutMs} ms (uplink ${d.uplink.connected ? 'connected' : 'not connected'}); it stays in the outbox and is delivered when the broker is reachable`,
          );
        }
        await d.sleep(50);
      }
    },
  };
}

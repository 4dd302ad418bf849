/**
 * The checks that decide whether the systemd watchdog is fed. Each answers from
 * facts the agent already has, on the monotonic clock (a wall-clock jump never fails or
 * passes a check). A failing check withholds WATCHDOG=1; after WatchdogSec systemd restarts
 * the service: only for faults a restart can cure (a stuck event loop, a dead poll loop, a
 * read-only database, an uplink that stopped trying), never for a silent controller, which
 * is CONTROLLER_COMM_LOST's business.
 */

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface HealthCheck {
  readonly name: string;
  /** `nowMono` in ms on the monotonic clock; `lateMs` how late the watchdog's own tick fired. */
  run(nowMono: number, lateMs: number): CheckResult;
}

/** The event loop answers: the watchdog's own timer fired no later than `maxLagMs`. */
export function eventLoopCheck(maxLagMs = 5000): HealthCheck {
  return {
    name: 'event-loop',
    run: (_now, lateMs) => ({
      name: 'event-loop',
      ok: lateMs <= maxLagMs,
      detail: `timer ${Math.round(lateMs)} ms late (limit ${maxLagMs})`,
    }),
  };
}

/**
 * Every bus's poll loop produced a result (success or failure) recently: a loop that hangs
 * on a stuck driver call is what this catches (a failure seen in peer gateways: a poller that freezes after a
 * timeout). `lastPoll` gives mono ms per bus id, null if none yet (measured from `sinceMono`).
 */
export function busesPolledCheck(
  lastPoll: () => Map<string, number | null>,
  maxAgeMs: number,
  sinceMono: () => number,
): HealthCheck {
  return {
    name: 'buses-polled',
    run: (now) => {
      const stale: string[] = [];
      for (const [bus, at] of lastPoll()) {
        const age = now - (at ?? sinceMono());
        if (age > maxAgeMs) stale.push(`${bus} ${Math.round(age / 1000)} s`);
      }
      return {
        name: 'buses-polled',
        ok: stale.length === 0,
        detail: stale.length ? `no poll result from ${stale.join(', ')} (limit ${maxAgeMs / 1000} s)` : 'all buses polled',
      };
    },
  };
}

/** The database takes a write (an SD card that turned read-only, a full disk). */
export function storeWritableCheck(probe: () => void): HealthCheck {
  return {
    name: 'store-writable',
    run: () => {
      try {
        probe();
        return { name: 'store-writable', ok: true, detail: 'write ok' };
      } catch (err) {
        return { name: 'store-writable', ok: false, detail: `write failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

/**
 * The uplink is connected, or reconnecting with a recent attempt: a client that stopped
 * trying (a failure seen in peer gateways: an MQTT client that never reconnects until restarted) fails after `maxQuietMs`.
 */
export function uplinkFreshCheck(state: () => { connected: boolean; connectAttempts: number }, maxQuietMs: number): HealthCheck {
  let lastAttempts = -1;
  let lastChangeAt: number | null = null;
  return {
    name: 'uplink-fresh',
    run: (now) => {
      const s = state();
      if (s.connectAttempts !== lastAttempts || lastChangeAt === null) {
        lastAttempts = s.connectAttempts;
        lastChangeAt = now;
      }
      if (s.connected) return { name: 'uplink-fresh', ok: true, detail: 'connected' };
      const quiet = now - lastChangeAt;
      return {
        name: 'uplink-fresh',
        ok: quiet <= maxQuietMs,
        detail: `reconnecting, last attempt ${Math.round(quiet / 1000)} s ago (limit ${maxQuietMs / 1000} s)`,
      };
    },
  };
}

/**
 * <root>/health: retained, periodic on the Clock port, Neuron-style counters (link state,
 * round-trip time, read errors, queue depth and age, evictions, memory).
 */
import t from 'tap';
import type { Clock, TimerHandle } from '../src/ports/clock.js';
import { HealthPublisher, healthPayload, type HealthFacts } from '../src/uplink/health.js';
import { newUnitStats } from '../src/field/unit-stats.js';
import { facilityClient, startAgent } from './contract-helpers.js';
import { captureLogger, tempDir, waitFor } from './uplink-helpers.js';

/** A clock whose time only moves when the test says so. */
function fakeClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: Clock = {
    now: () => ({ mono: now, wall: 1_750_000_000_000 + now }),
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return { id };
    },
    clearTimeout: (h: TimerHandle) => void timers.delete(h.id as number),
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.size };
}

function facts(at: number, over: Partial<HealthFacts> = {}): HealthFacts {
  const unit = { ...newUnitStats('A', 1), polls: 10, ok: 8, lastRttMs: 12, lastOkAt: at - 500 };
  unit.errors.TIMEOUT = 2;
  return {
    gatewayId: 'gw1',
    site: { id: 'site1', name: 'Site One' },
    session: 3,
    version: '0.1.0',
    nodeVersion: 'v20.0.0',
    startedAt: at - 90_000,
    buses: [{ busId: 'rs485', state: 'open', opens: 1, openFailures: 0, lastRttMs: 12, units: [unit, newUnitStats('B', 2)] }],
    outbox: { pending: 4, oldestPendingAt: at - 30_000, delivered: 100 } as HealthFacts['outbox'],
    uplink: { connects: 2, connectAttempts: 3, rebuilds: 0, lastConnectAt: at - 1000 },
    memory: { rss: 50_000_000, heapUsed: 20_000_000 },
    at,
    ...over,
  };
}

void t.test('health payload', async (t) => {
  const at = Date.UTC(2025, 5, 1, 12);
  const p = healthPayload(facts(at));
  t.match(p, {
    schema: 'liftwatch.health/1',
    gatewayId: 'gw1',
    session: 3,
    nodeVersion: 'v20.0.0',
    uptimeSec: 90,
    buses: [{ id: 'rs485', state: 'open', lastRttMs: 12, units: [{ liftId: 'A', link: 'ok', readErrors: 2, errors: { TIMEOUT: 2 }, lastRttMs: 12 }, { liftId: 'B', link: 'unknown', readErrors: 0 }] }],
    outbox: { pending: 4, oldestPendingAgeSec: 30, oldestPendingAt: '2025-06-01T11:59:30.000Z', delivered: 100 },
    memory: { rssBytes: 50_000_000, heapUsedBytes: 20_000_000 },
    at: '2025-06-01T12:00:00.000Z',
  });
  t.notOk('evictions' in (p['outbox'] as object), 'evictions only when the store reports them');
  const withEvictions = healthPayload(facts(at, { outbox: { pending: 0, oldestPendingAt: null, delivered: 1, evictions: 7, dataGaps: 2, lastEvictionAt: at } as unknown as HealthFacts['outbox'] }));
  t.match(withEvictions['outbox'], { evictions: 7, dataGaps: 2, oldestPendingAgeSec: null, lastEvictionAt: '2025-06-01T12:00:00.000Z' });
  const failing = facts(at);
  (failing.buses[0]!.units[0]!).consecutiveFailures = 3;
  t.match(healthPayload(failing), { buses: [{ units: [{ link: 'failing' }] }] });
});

void t.test('health publisher runs on the Clock port', async (t) => {
  const { clock, advance, pending } = fakeClock();
  const published: Array<Record<string, unknown>> = [];
  const hp = new HealthPublisher({
    topic: 'r/health',
    intervalSec: 60,
    clock,
    logger: captureLogger(),
    facts: () => facts(clock.now().wall),
    setRetained: (topic, payload) => {
      t.equal(topic, 'r/health');
      published.push(payload);
    },
  });
  hp.start();
  t.equal(published.length, 1, 'at once on start');
  advance(59_999);
  t.equal(published.length, 1);
  advance(1);
  t.equal(published.length, 2, 'every interval');
  advance(600_000);
  t.equal(published.length, 12);
  hp.stop();
  t.equal(pending(), 0, 'no timer left after stop');
  advance(600_000);
  t.equal(published.length, 12);
});

void t.test('the running agent publishes retained health with its bus and outbox', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  await waitFor(() => (agent.stack.composed.agent.busStats()[0]?.units[0]?.ok ?? 0) > 2, 10_000, 'polls');
  agent.stack.composed.health.publishNow();
  await new Promise((r) => setTimeout(r, 100));
  const late = await facilityClient(`mqtt://127.0.0.1:${agent.brokerPort}`, [`${agent.root}/health`]);
  t.teardown(() => late.close());
  await waitFor(() => late.got.length > 0, 5000, 'retained health');
  const h = late.got.at(-1)!;
  t.equal(h.retain, true, 'retained');
  t.match(h.json, {
    schema: 'liftwatch.health/1',
    gatewayId: 'gw1',
    session: agent.stack.composed.session,
    nodeVersion: process.version,
    buses: [{ id: 'sim', state: 'open', units: [{ liftId: 'A', unitId: 1, link: 'ok' }] }],
    outbox: { pending: Number },
    uplink: { connects: 1 },
    memory: { rssBytes: Number, heapUsedBytes: Number },
  });
  t.type((h.json['buses'] as Array<{ lastRttMs: unknown }>)[0]?.lastRttMs, 'number', 'round-trip time');
});

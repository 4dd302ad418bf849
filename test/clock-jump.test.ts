/**
 * Clock: a box without RTC boots with a wrong wall clock and jumps when NTP syncs.
 * Durations run on the monotonic clock, so a jump forwards or backwards neither confirms an
 * alarm early, nor delays it, nor fires a storm of timeouts (3-day test-call clock, comm
 * lost, confirm timers). Events carry `clockSynced`, read through a port tests control.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initialState, step, type CoreConfig, type CoreState } from '../src/core/engine.js';
import { sequentialIds } from './helpers/trace.js';
import type { AlarmEvent, CoreEffect, Instant } from '../src/core/types.js';
import type { SignalValues } from '../src/core/signals.js';
import { eventPayload } from '../src/uplink/payload.js';
import { SystemClockSync } from '../src/platform/system-clock.js';
import { waitFor } from './helpers/e2e.js';

const DAY = 86_400_000;
const cfg: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 500, landings: 6 }], rules: {} };
const IDLE: SignalValues = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true,
  moving: false, alarmButton: false, inspection: false, mainsPower: true, endOfAlarm: false, floor: 0, faultCode: 0,
};
const eventsOf = (effects: CoreEffect[]): AlarmEvent[] => effects.flatMap((e) => (e.type === 'event' ? [e.event] : []));

/** Drives the core like the agent: samples every 500 ms of mono time, wall = mono + offset(mono). */
function drive(
  wallOffset: (mono: number) => number,
  values: (mono: number) => SignalValues,
  untilMono: number,
): Array<{ mono: number; event: AlarmEvent }> {
  const ids = sequentialIds();
  const at = (mono: number): Instant => ({ mono, wall: 1_500_000_000_000 + mono + wallOffset(mono) });
  let st: CoreState = initialState(cfg, at(0));
  const out: Array<{ mono: number; event: AlarmEvent }> = [];
  let deadline: number | null = null;
  for (let mono = 0; mono <= untilMono; mono += 100) {
    // Ticks at the deadline, as the agent's timer would (on the monotonic clock).
    if (deadline !== null && deadline <= mono) {
      const r = step(cfg, st, { kind: 'tick', at: at(mono) }, ids);
      st = r.state;
      deadline = r.nextDeadline;
      out.push(...eventsOf(r.effects).map((event) => ({ mono, event })));
    }
    if (mono % 500 === 0) {
      const r = step(cfg, st, { kind: 'sample', liftId: 'L1', at: at(mono), values: { ...IDLE, ...values(mono) } }, ids);
      st = r.state;
      deadline = r.nextDeadline;
      out.push(...eventsOf(r.effects).map((event) => ({ mono, event })));
    }
  }
  return out;
}

const mainsLostAt1s = (mono: number): SignalValues => (mono >= 1000 ? { mainsPower: false } : {});

void t.test('a steady wall clock: MAINS_POWER_FAILURE confirmed 2 s after the edge (the reference)', async (t) => {
  const ev = drive(() => 0, mainsLostAt1s, 10_000).filter((e) => e.event.code === 'MAINS_POWER_FAILURE');
  t.same(ev.map((e) => [e.event.lifecycle, e.mono]), [['raised', 3000]]);
});

void t.test('NTP jumps the wall clock 4 days forward mid-confirmation: not raised early, no storm', async (t) => {
  const ev = drive((mono) => (mono >= 2000 ? 4 * DAY : 0), mainsLostAt1s, 10_000);
  t.same(ev.map((e) => [e.event.code, e.event.lifecycle, e.mono]), [['MAINS_POWER_FAILURE', 'raised', 3000]],
    'the same single event at the same monotonic instant; no ALARM_DEVICE_FAULT although the wall clock passed 3 days');
  const raised = ev[0]!.event;
  t.equal(raised.at - raised.occurredAt, 2000, 'the confirm time inside the event follows the monotonic clock, not the jump');
});

void t.test('the wall clock jumps 1 hour backwards mid-confirmation: not delayed, nothing fires', async (t) => {
  const ev = drive((mono) => (mono >= 2000 ? -3_600_000 : 0), mainsLostAt1s, 10_000);
  t.same(ev.map((e) => [e.event.code, e.event.lifecycle, e.mono]), [['MAINS_POWER_FAILURE', 'raised', 3000]]);
});

void t.test('an idle lift through repeated jumps both ways: no events at all', async (t) => {
  const ev = drive((mono) => (Math.floor(mono / 7000) % 2 === 0 ? 0 : (mono % 3 === 0 ? 5 : -5) * DAY), () => ({}), 60_000);
  t.same(ev.map((e) => e.event.code), [], 'no timeouts, no test-call fault, no comm lost');
});

void t.test('events carry clockSynced when the agent knows it', async (t) => {
  const base: AlarmEvent = {
    alarmId: 'a', lifecycle: 'raised', code: 'MAINS_POWER_FAILURE', severity: 'major', liftId: 'L1', floor: 0,
    occurredAt: 0, confirmedAt: 0, clearedAt: null, at: 0, controllerCode: null, evidence: null,
  };
  const ctx = { site: { id: 's', name: 'S' }, gatewayId: 'g', lift: { id: 'L1', label: 'L1', landings: ['0'] } };
  t.equal(eventPayload({ ...base, clockSynced: false }, ctx)['clockSynced'], false);
  t.equal(eventPayload({ ...base, clockSynced: true }, ctx)['clockSynced'], true);
  t.notOk('clockSynced' in eventPayload(base, ctx), 'absent when unknown');
});

void t.test('SystemClockSync: the timesyncd flag file, else timedatectl, else not synchronized', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-clock-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const flag = path.join(dir, 'synchronized');
  const none = new SystemClockSync({ flagFile: flag, timedatectl: null });
  none.refresh();
  t.equal(none.synced(), false, 'unknown counts as not synchronized');
  fs.writeFileSync(flag, '');
  none.refresh();
  t.equal(none.synced(), true, 'timesyncd says synchronized');

  const fake = path.join(dir, 'timedatectl');
  fs.writeFileSync(fake, '#!/bin/sh\n[ "$1 $2 $3 $4" = "show -p NTPSynchronized --value" ] && echo yes\n', { mode: 0o755 });
  const viaCtl = new SystemClockSync({ flagFile: path.join(dir, 'absent'), timedatectl: fake });
  viaCtl.refresh();
  await waitFor(() => viaCtl.synced(), 5000, 'timedatectl says yes');
  fs.writeFileSync(fake, '#!/bin/sh\necho no\n', { mode: 0o755 });
  viaCtl.refresh();
  await waitFor(() => !viaCtl.synced(), 5000, 'timedatectl says no');
  t.pass('both answers read');
});

/**
 * The scenario corpus: test/scenarios/*.yaml are readable timed traces (data, not code) that
 * together specify the fault core. Format: test/scenarios/README.md.
 *
 * Each scenario runs four times: as written (the driver ticks at every nextDeadline), with
 * extra ticks every 137 ms, with the last sample re-polled every 400 ms between samples
 * (jitter), and with no ticks at all (deadlines are only caught up when the next input
 * arrives). All four must give exactly the expected events, with the same timestamps.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TraceDriver, sequentialIds } from './helpers/trace.js';
import type { CoreConfig } from '../src/core/engine.js';
import { ALARM_CODES, type AlarmEvent, type CoreInput, type EndOfAlarmSource, type Instant, type LiftSnapshot } from '../src/core/types.js';
import type { SignalValues } from '../src/core/signals.js';

const ROOT = new URL('../../', import.meta.url);
const DIR = path.join(ROOT.pathname, 'test', 'scenarios');
const MONO0 = 5_000_000;
const WALL0 = Date.UTC(2025, 0, 1, 8, 0, 0);

/** A healthy lift standing at landing 0 with doors closed: what the first sample starts from. */
const BASELINE: SignalValues = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true,
  moving: false, alarmButton: false, inspection: false, fireService: false, outOfService: false,
  overload: false, mainsPower: true, endOfAlarm: false, controlVoltage: true, carLight: true,
  alarmDeviceFault: false, callRegistered: false, doorOpenCommand: false, floor: 0, faultCode: 0, direction: 'none',
};

interface Expect {
  t: number; code: string; lifecycle: string; incident?: string; occurred?: number; floor?: number | null;
  controllerCode?: number | null; source?: string; heldMs?: number; detail?: string; severity?: string;
  /** Pattern matched against evidence.rule. */
  rule?: string;
  /** Subset of evidence.signals. */
  signals?: Record<string, unknown>;
}
type Check = Partial<LiftSnapshot> & { activeCodes?: string[] };
type Item = { input: CoreInput } | { check: Check; liftId: string; t: number };
interface Scenario {
  name: string;
  lifts?: Array<{ id: string; landings?: number; pollIntervalMs?: number; rules?: CoreConfig['rules']; faultCodes?: Record<number, AlarmEvent['code']> }>;
  rules?: CoreConfig['rules'];
  debounce?: CoreConfig['debounce'];
  baseline?: SignalValues;
  /** Signals the lift's wiring does not carry: removed from the baseline and from every sample. */
  unwired?: Array<keyof SignalValues>;
  restored?: Array<{ t: number; code: AlarmEvent['code']; alarmId: string; lifecycle?: AlarmEvent['lifecycle']; lift?: string; severity?: AlarmEvent['severity']; controllerCode?: number; detail?: string; signal?: string }>;
  /** Alarms raised before the start (the store's recent raises, the REPEATED_FAULT history). */
  history?: Array<{ t: number; code: AlarmEvent['code']; alarmId: string; lift?: string; severity?: AlarmEvent['severity']; controllerCode?: number; signal?: string }>;
  jitter?: boolean;
  until?: number;
  inputs: Array<Record<string, unknown>>;
  expect: Expect[] | null;
}

const at = (ms: number): Instant => ({ mono: MONO0 + ms, wall: WALL0 + ms });

/**
 * `{ t, repeat: N, every: ms, inputs: [...] }` plays its inputs N times, the k-th time shifted by
 * t + k * every (a trip cycle, a flickering contact), so a long trace stays readable.
 */
function expand(inputs: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return inputs.flatMap((raw) => {
    if (!('repeat' in raw)) return [raw];
    const n = raw.repeat as number;
    const every = raw.every as number;
    const inner = expand(raw.inputs as Array<Record<string, unknown>>);
    const out: Array<Record<string, unknown>> = [];
    for (let k = 0; k < n; k++) for (const i of inner) out.push({ ...i, t: (raw.t as number) + k * every + (i.t as number) });
    return out;
  });
}

function toItems(sc: Scenario, defaultLift: string): Item[] {
  const current = new Map<string, SignalValues>();
  const out: Item[] = [];
  let prevT = -Infinity;
  for (const raw of expand(sc.inputs)) {
    const tm = raw.t as number;
    if (typeof tm !== 'number' || tm < prevT) throw new Error(`${sc.name}: input times must be numbers in order (${String(tm)})`);
    prevT = tm;
    const liftId = (raw.lift as string | undefined) ?? defaultLift;
    if ('sample' in raw) {
      const values: SignalValues = { ...(current.get(liftId) ?? { ...BASELINE, ...sc.baseline }), ...(raw.sample as SignalValues) };
      for (const name of sc.unwired ?? []) delete values[name];
      current.set(liftId, values);
      out.push({ input: { kind: 'sample', liftId, at: at(tm), values } });
    } else if ('tick' in raw) out.push({ input: { kind: 'tick', at: at(tm) } });
    else if ('pollFailed' in raw) out.push({ input: { kind: 'pollFailed', liftId, at: at(tm), reason: String(raw.pollFailed ?? 'timeout') } });
    else if ('endOfAlarm' in raw) {
      const input: CoreInput = { kind: 'endOfAlarm', liftId, at: at(tm), source: raw.endOfAlarm as EndOfAlarmSource };
      if (typeof raw.by === 'string') input.by = raw.by;
      out.push({ input });
    } else if ('testCall' in raw) {
      out.push({ input: { kind: 'testCall', liftId, at: at(tm), source: (raw.testCall as 'schedule' | 'cli' | 'remote' | null) ?? 'schedule' } });
    } else if ('ack' in raw) {
      // `ack: CODE` acknowledges the alarm of that code raised earlier in this run; `ackId` is literal.
      out.push({ input: { kind: 'acknowledge', alarmId: `@${String(raw.ack)}`, at: at(tm), by: 'operator' } });
    } else if ('ackId' in raw) out.push({ input: { kind: 'acknowledge', alarmId: String(raw.ackId), at: at(tm) } });
    else if ('expectState' in raw) out.push({ check: raw.expectState as Check, liftId, t: tm });
    else throw new Error(`${sc.name}: unknown input ${JSON.stringify(raw)}`);
  }
  return out;
}

type Variant = 'as written' | 'extra ticks' | 're-polled' | 'no ticks';

function withJitter(items: Item[], variant: Variant, end: number): Item[] {
  if (variant === 'as written' || variant === 'no ticks') return items;
  const times = (i: Item) => ('input' in i ? i.input.at.mono - MONO0 : i.t);
  if (variant === 'extra ticks') {
    const extra: Item[] = [];
    for (let ms = 0; ms <= end; ms += 137) extra.push({ input: { kind: 'tick', at: at(ms) } });
    return [...items, ...extra].map((x, i) => ({ x, i })).sort((a, b) => times(a.x) - times(b.x) || a.i - b.i).map((p) => p.x);
  }
  // Re-poll: between two samples of a lift with no failed poll in between, repeat the earlier sample every 400 ms.
  const out: Item[] = [];
  items.forEach((it, idx) => {
    out.push(it);
    if (!('input' in it) || it.input.kind !== 'sample') return;
    const s = it.input;
    const rest = items.slice(idx + 1).filter((n) => 'input' in n && 'liftId' in n.input && n.input.liftId === s.liftId);
    const nextSample = rest.find((n) => 'input' in n && n.input.kind === 'sample');
    const failedFirst = rest.findIndex((n) => 'input' in n && n.input.kind === 'pollFailed');
    if (nextSample === undefined || (failedFirst >= 0 && failedFirst < rest.indexOf(nextSample))) return;
    const nextT = times(nextSample);
    const following = items[idx + 1];
    const stopAt = Math.min(nextT, following === undefined ? nextT : times(following));
    for (let ms = times(it) + 400; ms < stopAt; ms += 400) out.push({ input: { ...s, at: at(ms) } });
  });
  return out;
}

function deepFreeze(o: unknown): void {
  if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return;
  Object.freeze(o);
  for (const v of Object.values(o)) deepFreeze(v);
}

function run(sc: Scenario, variant: Variant) {
  const lifts = (sc.lifts ?? [{ id: 'L1' }]).map((l) => ({
    id: l.id, landings: l.landings ?? 6, pollIntervalMs: l.pollIntervalMs ?? 500,
    ...(l.rules ? { rules: l.rules } : {}), ...(l.faultCodes ? { faultCodes: l.faultCodes } : {}),
  }));
  const cfg: CoreConfig = { lifts, rules: sc.rules ?? {} };
  if (sc.debounce) cfg.debounce = sc.debounce;
  const defaultLift = lifts[0]!.id;
  const stored = (r: NonNullable<Scenario['history']>[number] & { lifecycle?: AlarmEvent['lifecycle']; detail?: string }, clearedAt: number | null): AlarmEvent => ({
    alarmId: r.alarmId, lifecycle: r.lifecycle ?? (clearedAt === null ? 'raised' : 'cleared'), code: r.code, severity: r.severity ?? 'critical',
    liftId: r.lift ?? defaultLift, floor: null, occurredAt: WALL0 + r.t, confirmedAt: WALL0 + r.t, clearedAt,
    at: clearedAt ?? WALL0 + r.t, controllerCode: r.controllerCode ?? null,
    evidence: r.signal === undefined ? null : { rule: 'stored', heldMs: 0, signals: { [r.signal]: true } },
    ...(r.detail === undefined ? {} : { detail: r.detail }),
  });
  const restored: AlarmEvent[] = (sc.restored ?? []).map((r) => stored(r, null));
  const history: AlarmEvent[] = (sc.history ?? []).map((r) => stored(r, WALL0 + r.t + 1000));
  const items = toItems(sc, defaultLift);
  const lastT = items.length === 0 ? 0 : Math.max(...items.map((i) => ('input' in i ? i.input.at.mono - MONO0 : i.t)));
  const end = sc.until ?? lastT + 60_000;
  const d = new TraceDriver(cfg, at(0), sequentialIds(), restored, [...history, ...restored]);
  const checks: string[] = [];
  for (const it of withJitter(items, variant, end)) {
    if ('check' in it) {
      if (variant === 'no ticks') d.feedWithoutTicks({ kind: 'tick', at: at(it.t) });
      else d.runUntil(MONO0 + it.t + 1);
      const snap = d.snapshots().find((s) => s.liftId === it.liftId)!;
      const { activeCodes, ...rest } = it.check;
      const got: Record<string, unknown> = {};
      for (const k of Object.keys(rest)) got[k] = (snap as unknown as Record<string, unknown>)[k];
      if (activeCodes !== undefined) got.activeCodes = snap.activeAlarms.map((a) => a.code);
      checks.push(JSON.stringify({ t: it.t, ...got }) + ' vs ' + JSON.stringify({ t: it.t, ...it.check }));
      continue;
    }
    let input = it.input;
    if (input.kind === 'acknowledge' && input.alarmId.startsWith('@')) {
      const code = input.alarmId.slice(1);
      if (variant === 'no ticks') d.feedWithoutTicks({ kind: 'tick', at: input.at });
      else d.runUntil(input.at.mono + 1); // let alarms due by now be raised first
      const raised = d.events().filter((e) => e.code === code && e.lifecycle === 'raised').pop();
      input = { ...input, alarmId: raised?.alarmId ?? code };
    }
    deepFreeze(d.state);
    if (variant === 'no ticks') d.feedWithoutTicks(input);
    else d.feed(input);
  }
  if (variant === 'no ticks') d.feedWithoutTicks({ kind: 'tick', at: at(end) });
  else d.runUntil(MONO0 + end + 1);
  return { events: d.events(), checks, restored };
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
t.ok(files.length >= 10, 'the corpus has scenarios');

void t.test('the corpus specifies every code of the taxonomy: each is raised in some scenario', async (t) => {
  const raised = new Set<string>();
  for (const file of files) {
    const sc = parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Scenario;
    for (const e of sc.expect ?? []) if (e.lifecycle === 'raised') raised.add(e.code);
  }
  t.same(ALARM_CODES.filter((c) => !raised.has(c)), [], 'no code without a scenario');
});

for (const file of files) {
  const sc = parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Scenario;
  void t.test(`${file}: ${sc.name}`, async (t) => {
    const variants: Variant[] = sc.jitter === false ? ['as written'] : ['as written', 'extra ticks', 're-polled', 'no ticks'];
    for (const variant of variants) {
      const { events, checks, restored } = run(sc, variant);
      const expected = sc.expect ?? [];
      const got = events.map((e) => ({ t: e.at - WALL0, code: e.code, lifecycle: e.lifecycle }));
      t.same(got, expected.map((e) => ({ t: e.t, code: e.code, lifecycle: e.lifecycle })), `${variant}: exactly the expected events`);
      for (const c of checks) {
        const [g, w] = c.split(' vs ');
        t.same(JSON.parse(g!), JSON.parse(w!), `${variant}: state check`);
      }
      const incidents = new Map<string, string>();
      expected.forEach((x, i) => {
        const e = events[i];
        if (e === undefined) return;
        if (x.incident !== undefined) {
          const known = incidents.get(x.incident);
          if (known === undefined) {
            t.notOk([...incidents.values()].includes(e.alarmId), `${variant}: incident ${x.incident} has its own alarmId`);
            incidents.set(x.incident, e.alarmId);
          } else t.equal(e.alarmId, known, `${variant}: event ${i} belongs to incident ${x.incident}`);
        }
        if (x.occurred !== undefined) t.equal(e.occurredAt - WALL0, x.occurred, `${variant}: event ${i} occurredAt`);
        if (x.floor !== undefined) t.equal(e.floor, x.floor, `${variant}: event ${i} floor`);
        if (x.controllerCode !== undefined) t.equal(e.controllerCode, x.controllerCode, `${variant}: event ${i} controllerCode`);
        if (x.source !== undefined) t.equal(e.endOfAlarmSource, x.source, `${variant}: event ${i} endOfAlarmSource`);
        if (x.heldMs !== undefined) t.equal(e.evidence?.heldMs, x.heldMs, `${variant}: event ${i} evidence.heldMs`);
        if (x.detail !== undefined) t.match(e.detail ?? '', x.detail, `${variant}: event ${i} detail`);
        if (x.severity !== undefined) t.equal(e.severity, x.severity, `${variant}: event ${i} severity`);
        if (x.rule !== undefined) t.match(e.evidence?.rule ?? '', x.rule, `${variant}: event ${i} evidence.rule`);
        if (x.signals !== undefined) t.match(e.evidence?.signals ?? {}, x.signals, `${variant}: event ${i} evidence.signals`);
      });
      // Invariants that hold for every trace.
      const open = new Set(restored.map((r) => r.alarmId));
      let lastAt = -Infinity;
      for (const e of events) {
        if (e.lifecycle === 'raised') open.add(e.alarmId);
        else t.ok(open.has(e.alarmId), `${variant}: ${e.lifecycle} ${e.code} follows its raise`);
        if (e.code === 'PASSENGER_TRAPPED') t.not(e.lifecycle, 'cleared', 'PASSENGER_TRAPPED never clears by itself');
        t.ok(e.at >= lastAt, `${variant}: events in time order`);
        lastAt = e.at;
        t.ok(e.evidence !== null && e.evidence.rule.length > 0 || restored.some((r) => r.alarmId === e.alarmId), 'evidence names its rule');
      }
    }
  });
}

/**
 * Traffic soak: every traffic profile read by the real agent in every wiring, over real
 * Modbus bytes, for minutes; reports what the agent raised above `info` per wiring. Busy is
 * not broken: a healthy run reports nothing (bench/lib/traffic-soak.ts).
 *
 *   npm run soak:traffic -- [--minutes 10] [--wirings controller,di-retrofit,minimal]
 *     [--traffic shuttle,office-peak,express] [--pair] [--behaviour SPEC]...
 *     [--transport auto|pty|tcp] [--poll-ms 200] [--seed N] [--json]
 *
 * Default: the full matrix (each wiring x each traffic profile, one lift each). --pair plays
 * wiring i with traffic profile i instead. --behaviour (as `liftwatch simulate --behaviour`,
 * without @UNITS) plays a fault on every lift, to see what the agent reports for it.
 * Exit 0 when nothing was raised above info, 1 otherwise, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { parseBehaviourArg } from '../src/sim/behaviour-arg.js';
import { isTrafficName, TRAFFIC_NAMES, type TrafficName } from '../src/sim/traffic.js';
import { formatSoakReport, runTrafficSoak, WIRINGS, type SoakLift, type Wiring } from './lib/traffic-soak.js';

function list<T extends string>(text: string | undefined, all: readonly T[], what: string): T[] {
  if (text === undefined) return [...all];
  const out = text.split(',').map((s) => s.trim());
  const bad = out.filter((s) => !(all as readonly string[]).includes(s));
  if (bad.length) throw new Error(`unknown ${what} ${bad.join(', ')} (expected ${all.join(', ')})`);
  return out as T[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      wirings: { type: 'string' },
      traffic: { type: 'string' },
      pair: { type: 'boolean', default: false },
      behaviour: { type: 'string', multiple: true, default: [] },
      transport: { type: 'string', default: 'auto' },
      'poll-ms': { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let lifts: SoakLift[];
  let minutes: number;
  let transport: 'auto' | 'pty' | 'tcp';
  try {
    minutes = Number(values.minutes);
    if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be in (0, 1440]');
    if (!['auto', 'pty', 'tcp'].includes(values.transport)) throw new Error('--transport must be auto, pty or tcp');
    transport = values.transport as 'auto' | 'pty' | 'tcp';
    const wirings = list<Wiring>(values.wirings, WIRINGS, 'wiring');
    const traffic = list<TrafficName>(values.traffic, TRAFFIC_NAMES, 'traffic profile').filter(isTrafficName);
    const behaviours = values.behaviour.map((b) => {
      const arg = parseBehaviourArg(b);
      if (arg.units) throw new Error(`--behaviour ${b}: @UNITS has no meaning here (every lift plays it)`);
      return arg.spec;
    });
    const extra = behaviours.length ? { behaviours } : {};
    lifts = values.pair
      ? wirings.map((wiring, i) => ({ wiring, traffic: traffic[i % traffic.length] as TrafficName, ...extra }))
      : wirings.flatMap((wiring) => traffic.map((t) => ({ wiring, traffic: t, ...extra })));
  } catch (err) {
    process.stderr.write(`soak:traffic: ${(err as Error).message}\n`);
    return 2;
  }
  const report = await runTrafficSoak({
    lifts,
    durationMs: minutes * 60_000,
    pollIntervalMs: Number(values['poll-ms']),
    transport,
    seed: Number(values.seed),
    log: (line) => process.stderr.write(`[soak] ${line}\n`),
  });
  process.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatSoakReport(report)) + '\n');
  return report.aboveInfo.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak:traffic: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Benchmark 9, what liftwatch's required parts cost in memory: the RSS a process with the
 * same-job script's libraries (modbus-serial, mqtt.js) gains when it also opens the SQLite store
 * and starts the scheduled jobs, as the agent does (bench/children/parts.ts). The brief asks for
 * both: every alarm committed to SQLite before anything else, the periodic jobs on node-schedule.
 * No target of its own: it tells how much of benchmark 8's RSS ratio is those parts rather than
 * liftwatch's own code.
 *
 * Each variant (none, store, schedule, both) runs as a fresh process with the systemd unit's
 * settings, in alternating rounds; the figures are the medians of the rounds and their
 * differences from the variant with neither part.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Measured } from './lib/bench.js';
import { tempDir } from './lib/env.js';
import { median, round } from './lib/stats.js';
import { unitRuntimeEnv } from './lib/unit-runtime.js';

const CHILD = fileURLToPath(new URL('./children/parts.js', import.meta.url));
const VARIANTS = { none: [], store: ['store'], schedule: ['schedule'], both: ['store', 'schedule'] } as const;
type Variant = keyof typeof VARIANTS;

interface Memory {
  rssKb: number;
  anonKb: number;
  fileKb: number;
  /** V8 heap in use after a full collection. */
  heapKb: number;
}

function once(parts: readonly string[], env: NodeJS.ProcessEnv): Memory {
  const tmp = tempDir('parts');
  try {
    const r = spawnSync(process.execPath, ['--expose-gc', CHILD, tmp.dir, ...parts], { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`parts child (${parts.join(' ') || 'none'}) exited ${r.status}: ${r.stderr.trim().slice(0, 400)}`);
    return JSON.parse(r.stdout.trim()) as Memory;
  } finally {
    tmp.remove();
  }
}

export const partsBench: Bench = {
  name: 'parts',
  title: 'What the required parts cost in memory',
  target: 'none (attribution for benchmark 8): RSS added by the SQLite store and by the scheduled jobs',
  async run(opts): Promise<Measured> {
    const rounds = opts.quick ? 3 : 7;
    const { env, applied } = unitRuntimeEnv();
    const seen: Record<Variant, Memory[]> = { none: [], store: [], schedule: [], both: [] };
    for (let r = 1; r <= rounds; r++) {
      opts.log(`parts: round ${r}/${rounds}`);
      for (const v of Object.keys(VARIANTS) as Variant[]) seen[v].push(once(VARIANTS[v], env));
    }
    const mb = (v: Variant, k: keyof Memory): number => median(seen[v].map((m) => m[k])) / 1024;
    const added = (v: Variant, k: keyof Memory): number => round(mb(v, k) - mb('none', k), 2);
    const figures: Measured['figures'] = {};
    for (const v of ['store', 'schedule', 'both'] as const) {
      figures[`${v}: file-backed pages added MB`] = added(v, 'fileKb');
      figures[`${v}: V8 heap added MB (after a full GC)`] = added(v, 'heapKb');
      figures[`${v}: RSS added MB (median)`] = added(v, 'rssKb');
    }
    const steady = (v: Variant): number => round(added(v, 'fileKb') + added(v, 'heapKb'), 2);
    const anon = seen.none.map((m) => m.anonKb / 1024);
    return {
      headline: `file-backed pages + V8 heap added: store ${steady('store')} MB, scheduled jobs ${steady('schedule')} MB, both ${steady('both')} MB`,
      ratio: null,
      pass: null,
      figures,
      baseline: {
        'modbus-serial + mqtt.js loaded: RSS MB': round(mb('none', 'rssKb'), 1),
        'anonymous MB': round(mb('none', 'anonKb'), 1),
        'file-backed MB': round(mb('none', 'fileKb'), 1),
        'V8 heap MB after a full GC': round(mb('none', 'heapKb'), 1),
        'anonymous MB, lowest to highest of the rounds': `${round(Math.min(...anon), 1)} to ${round(Math.max(...anon), 1)}`,
      },
      notes: [
        `${rounds} rounds, each variant a fresh process read from /proc/self/status after a 4 s pause (${path.basename(CHILD)}); medians of the rounds.`,
        `With the unit's settings: ${Object.entries(applied).map(([k, v]) => `${k}=${v}`).join(' ')}.`,
        'File-backed pages: the SQLite library, the node binary pages its symbol lookups and local-time zone data touch; they are the same in every start. Anonymous memory (V8 heap pages, malloc arenas) moves by several MB between starts of one and the same program, so the RSS medians are the rough figure and file-backed pages + V8 heap the steady one.',
      ],
    };
  },
};

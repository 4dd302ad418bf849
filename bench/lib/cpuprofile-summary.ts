/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by module (our src/ files by path,
 * node_modules by package, node: internals, native) and by function; with --inclusive also
 * inclusive time by function. Used to find where the agent's CPU per field-bus transaction
 * goes:
 *
 *   node --cpu-prof --cpu-prof-dir /tmp/prof dist/bench/run.js --quick --only fieldbus --out /tmp/b
 *   node dist/bench/lib/cpuprofile-summary.js /tmp/prof/CPU.*.cpuprofile [--top 40] [--inclusive]
 *
 * The profile covers the whole process (startup and config validation included) and only the
 * main thread's JavaScript: TurboFan compiling on worker threads and kernel time do not show
 * up, so compare it with process.cpuUsage before trusting the proportions.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Summary {
  totalMs: number;
  byModule: Array<[string, number]>;
  byFunction: Array<[string, number]>;
  inclusive: Array<[string, number]>;
}

export function moduleOf(url: string): string {
  if (!url) return '(native/vm)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist) return dist[1] ?? url;
  return url;
}

export function summarise(p: CpuProfile): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n] as const));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const key = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${moduleOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const m = moduleOf(n.callFrame.url);
    byModule.set(m, (byModule.get(m) ?? 0) + us);
    byFunction.set(key(n), (byFunction.get(key(n)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur);
      if (!c) break;
      const k = key(c);
      if (seen.has(k)) continue; // recursion counted once per sample
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]);
  return { totalMs: total / 1000, byModule: sorted(byModule), byFunction: sorted(byFunction), inclusive: sorted(inclusive) };
}

function main(argv: string[]): void {
  const files = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--top');
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 40;
  if (!files.length) {
    process.stderr.write('usage: cpuprofile-summary <file.cpuprofile>... [--top N] [--inclusive]\n');
    process.exit(2);
  }
  for (const f of files) {
    const s = summarise(JSON.parse(fs.readFileSync(f, 'utf8')) as CpuProfile);
    const show = (title: string, rows: Array<[string, number]>): void => {
      process.stdout.write(`\n== ${title} (${f}, total ${s.totalMs.toFixed(0)} ms)\n`);
      for (const [k, ms] of rows.slice(0, top)) {
        process.stdout.write(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %  ${k}\n`);
      }
    };
    show('self time by module', s.byModule);
    show('self time by function', s.byFunction);
    if (argv.includes('--inclusive')) show('inclusive time by function', s.inclusive);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

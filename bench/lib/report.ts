/**
 * The result of one benchmark and the files the suite writes: bench/results/latest.json
 * (every figure) and bench/results/latest.md (the table docs/performance.md quotes).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './env.js';

export type Figure = number | string | boolean | null;

export interface BenchResult {
  name: string; // --only filter key
  title: string;
  /** The target, in words (as docs/performance.md states it). */
  target: string;
  /** Headline figure compared with the target, e.g. "p99 − limit" or a ratio. */
  headline: string;
  /** The ratio to the baseline (or to the limit) that decides pass/fail; null when not measured. */
  ratio: number | null;
  pass: boolean | null;
  figures: Record<string, Figure>;
  baseline: Record<string, Figure>;
  notes: string[];
  durationMs: number;
  error?: string;
}

export interface SuiteReport {
  startedAt: string;
  mode: 'quick' | 'full';
  options: Record<string, Figure>;
  machine: MachineInfo;
  durationMs: number;
  results: BenchResult[];
}

export function failed(name: string, title: string, target: string, err: unknown, durationMs: number): BenchResult {
  const message = err instanceof Error ? err.message : String(err);
  return { name, title, target, headline: 'error', ratio: null, pass: null, figures: {}, baseline: {}, notes: [], durationMs, error: message };
}

function verdict(r: BenchResult): string {
  if (r.error) return 'ERROR';
  if (r.pass === null) return 'n/a';
  return r.pass ? 'pass' : 'FAIL';
}

function fmt(v: Figure): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString('en-US');
    if (a >= 10) return (Math.round(v * 10) / 10).toString();
    return (Math.round(v * 1000) / 1000).toString();
  }
  return String(v);
}

export function toMarkdown(rep: SuiteReport): string {
  const m = rep.machine;
  const lines: string[] = [];
  lines.push(`# liftwatch benchmark results`);
  lines.push('');
  lines.push(
    `${rep.startedAt} · mode **${rep.mode}** · ${m.cpuModel} × ${m.cpus} · ${m.memoryGiB} GiB · Node ${m.node} · ${m.platform} (${m.kernel}) · load ${m.loadAvg1m} at start · suite ${fmt(rep.durationMs / 1000)} s`,
  );
  lines.push('');
  lines.push('| # | benchmark | target | result | ratio | verdict |');
  lines.push('|---|---|---|---|---|---|');
  rep.results.forEach((r, i) => {
    lines.push(`| ${i + 1} | ${r.title} | ${r.target} | ${r.error ? r.error.replace(/\|/g, '/') : r.headline} | ${r.ratio === null ? '–' : fmt(r.ratio)} | ${verdict(r)} |`);
  });
  lines.push('');
  for (const r of rep.results) {
    lines.push(`## ${r.title} (\`--only ${r.name}\`, ${fmt(r.durationMs / 1000)} s)`);
    lines.push('');
    const keys = [...new Set([...Object.keys(r.figures), ...Object.keys(r.baseline)])];
    if (keys.length) {
      lines.push('| figure | liftwatch | baseline |');
      lines.push('|---|---|---|');
      for (const k of keys) lines.push(`| ${k} | ${k in r.figures ? fmt(r.figures[k] as Figure) : ''} | ${k in r.baseline ? fmt(r.baseline[k] as Figure) : ''} |`);
      lines.push('');
    }
    for (const n of r.notes) lines.push(`- ${n}`);
    if (r.notes.length) lines.push('');
  }
  return lines.join('\n');
}

export function writeReport(dir: string, rep: SuiteReport): { md: string; json: string } {
  fs.mkdirSync(dir, { recursive: true });
  const md = path.join(dir, 'latest.md');
  const json = path.join(dir, 'latest.json');
  fs.writeFileSync(json, JSON.stringify(rep, null, 2) + '\n');
  fs.writeFileSync(md, toMarkdown(rep) + '\n');
  return { md, json };
}

/**
 * Plain aligned tables for a terminal or a serial console: no box drawing (readable over a
 * 80-column serial line, copy-pastable into a ticket), colour-aware column widths.
 */
import { visibleLength } from './colour.js';

export type Cell = string | number | boolean | null | undefined;

export function cell(v: Cell): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

export function table(headers: string[], rows: Cell[][], opts: { indent?: string } = {}): string {
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    (opts.indent ?? '') +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(c)))))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...text.map(line)].join('\n') + '\n';
}

/** Two columns, key: value, for one record. */
export function keyValues(pairs: Array<[string, Cell]>, indent = ''): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${(k + ':').padEnd(w + 1)}  ${cell(v)}`).join('\n') + '\n';
}

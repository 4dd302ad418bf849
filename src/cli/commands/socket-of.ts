/**
 * The diagnostics socket a configuration names, read without the YAML library or the schema
 * validators (together ~140 ms and ~20 MB of a command's start, against ~100 ms and ~40 MB for
 * Node itself): the technician's commands try that socket first, and load and validate the
 * configuration only when that agent does not answer, the answer needs the file (a stopped
 * agent's store), or this reader declines. A running agent validated its configuration when it
 * started; `liftwatch config check` validates the file as it is now.
 *
 * The reader is deliberately narrow: it understands the block `liftwatch init` and the example
 * configs write (a top-level `diagnostics:` key, then `  key: value` lines with plain, single- or
 * double-quoted scalars without escapes, `# comments` allowed) and returns null for anything
 * else: a flow mapping, anchors, aliases, tags, merge keys, several documents, tabs, a key it
 * does not know, a key twice, `diagnostics` anywhere else in the file. Null means "load the file
 * properly", never a guess.
 */
import fs from 'node:fs';
import type { DiagnosticsConfig } from '../../config/types.js';

const MAX_BYTES = 1024 * 1024; // the config loader's bound (src/config/input-limits.ts)
const KEYS = new Set(['enabled', 'socket', 'readOnlySocket', 'group']);

/** A scalar as YAML reads it here: string, boolean, or undefined when this reader declines. */
function scalar(raw: string): string | boolean | undefined {
  const v = raw.trim();
  let m = /^'((?:[^']|'')*)'\s*(?:#.*)?$/.exec(v);
  if (m) return (m[1] as string).replace(/''/g, "'");
  m = /^"([^"\\]*)"\s*(?:#.*)?$/.exec(v);
  if (m) return m[1];
  const plain = v.replace(/\s+#.*$/, '');
  if (plain === '' || /^[!&*|>@`"'%{[\]},#?:-]/.test(plain) || /[\t]|: |\s#/.test(plain)) return undefined;
  if (/^(true|false)$/.test(plain)) return plain === 'true';
  if (/^(True|TRUE|False|FALSE|yes|no|on|off|null|Null|NULL|~)$/i.test(plain)) return undefined;
  return plain;
}

/** `diagnostics` of the file as far as socket paths and group go; null when this reader declines. */
export function diagnosticsOf(file: string): Partial<DiagnosticsConfig> | null {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_BYTES) return null;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  if (text.includes('\t') || /^(---|\.\.\.)\s*\S/m.test(text) || /^(---|\.\.\.)\s*$/m.test(text.replace(/^---\s*\n/, ''))) return null;
  const lines = text.split(/\r?\n/);
  const head = lines.flatMap((l, i) => (/^diagnostics\s*:/.test(l) ? [i] : []));
  const mentions = lines.filter((l) => l.includes('diagnostics') && !/^\s*#/.test(l)).length;
  if (head.length === 0) return mentions === 0 ? {} : null;
  if (head.length > 1 || mentions > 1) return null;
  const at = head[0] as number;
  if (!/^diagnostics\s*:\s*(#.*)?$/.test(lines[at] as string)) return null; // flow mapping, alias, tag...
  const out: Record<string, string | boolean> = {};
  let indent: number | null = null;
  for (const line of lines.slice(at + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const lead = (/^ */.exec(line) as RegExpExecArray)[0].length;
    if (lead === 0) break; // the next top-level key
    indent ??= lead;
    if (lead !== indent) return null;
    const m = /^ *([A-Za-z]+)\s*:(.*)$/.exec(line);
    if (!m || !KEYS.has(m[1] as string) || (m[1] as string) in out) return null;
    const v = scalar(m[2] as string);
    if (v === undefined) return null;
    out[m[1] as string] = v;
  }
  const { enabled, socket, readOnlySocket, group } = out;
  if (enabled === false || (enabled !== undefined && enabled !== true)) return null;
  if (socket !== undefined && typeof socket !== 'string') return null;
  if (readOnlySocket !== undefined && readOnlySocket !== false && typeof readOnlySocket !== 'string') return null;
  if (group !== undefined && group !== false && typeof group !== 'string') return null;
  return {
    ...(socket !== undefined ? { socket } : {}),
    ...(readOnlySocket !== undefined ? { readOnlySocket } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}

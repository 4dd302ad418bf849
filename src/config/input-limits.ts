/**
 * Bounds on what a configuration or device-profile file may cost to read. The agent runs under
 * a 192 MB V8 heap (systemd/liftwatch.service); a file that could exhaust it would turn a typo
 * into a crash loop. So, before the YAML parser sees a byte:
 * - at most 1 MiB, read from a regular file only (a FIFO or /dev/zero would never end);
 * - text only: a NUL or another control character is described, never echoed back;
 * - at most MAX_YAML_DEPTH levels of nesting, counted on the lexer's tokens (the yaml package's
 *   parser recurses: about a thousand nested `[` overflow its stack and a few hundred thousand
 *   exhaust the heap, measured with yaml 2.9);
 * and after parsing, before anything is expanded, at most MAX_YAML_NODES values counting every
 * alias expansion (the "billion laughs": ten aliases of ten aliases of ... make 10^n values).
 */
import fs from 'node:fs';
import type { Document, LineCounter } from 'yaml';
import { ConfigError, type ConfigErrorCode, type ProblemReason } from './errors.js';
import { yamlLibrary } from './yaml-library.js';

export const MAX_FILE_BYTES = 1024 * 1024;
/** A liftwatch config nests 6 levels deep (lifts[].signals.x.input); 32 leaves room for any layout. */
export const MAX_YAML_DEPTH = 32;
/** Values in the document with every alias expanded; a large site's config has a few thousand. */
export const MAX_YAML_NODES = 100_000;

function refuse(code: ConfigErrorCode, file: string, message: string, line?: number, reason?: ProblemReason): never {
  throw new ConfigError(code, [{ file, path: '(top level)', message, ...(line === undefined ? {} : { line }), ...(reason ? { reason } : {}) }]);
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Reads a YAML file as text within the bounds above. `shown` is the file as named in messages,
 * `what` what it should be ("config file"); `missing` the code for a file that cannot be read,
 * `invalid` the one for a file refused.
 */
export function readTextFile(file: string, shown: string, what: string, missing: ConfigErrorCode, invalid: ConfigErrorCode): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    refuse(missing, shown, `expected a readable ${what}, got ${code === 'ENOENT' ? 'no such file' : `an error (${code ?? 'unknown'})`}`);
  }
  if (!st.isFile()) refuse(missing, shown, `expected a ${what} (YAML text), got ${kindOf(st)}`);
  if (st.size > MAX_FILE_BYTES) {
    refuse(invalid, shown, `expected a file of at most ${formatBytes(MAX_FILE_BYTES)}, got ${formatBytes(st.size)}`, undefined, 'FILE_TOO_LARGE');
  }
  let bytes: Buffer;
  try {
    bytes = readAtMost(file, MAX_FILE_BYTES + 1);
  } catch (err) {
    refuse(missing, shown, `expected a readable ${what}, got an error (${(err as NodeJS.ErrnoException).code ?? 'unknown'})`);
  }
  if (bytes.length > MAX_FILE_BYTES) {
    refuse(invalid, shown, `expected a file of at most ${formatBytes(MAX_FILE_BYTES)}, got more (it grew while being read)`, undefined, 'FILE_TOO_LARGE');
  }
  return decodeText(bytes, shown, invalid);
}

function readAtMost(file: string, max: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, max - n, null);
      if (got === 0) break;
      n += got;
      if (n >= max) break;
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Position (1-based line and column) of byte `offset`. */
function position(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/**
 * UTF-8 text with no control characters YAML forbids (YAML 1.2 c-printable: tab, LF, CR and
 * printable characters only). The file's bytes are never echoed: a binary file would print as
 * garbage, and it could be anything (a key, a database).
 */
export function decodeText(bytes: Buffer, shown: string, code: ConfigErrorCode): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    refuse(code, shown, 'expected a UTF-8 text file, got a UTF-16 text file (save it as UTF-8)', undefined, 'NOT_TEXT');
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      const { line, col } = position(bytes, i);
      const what = b === 0 ? 'a NUL byte' : `control character 0x${b.toString(16).padStart(2, '0')}`;
      refuse(code, shown, `expected a YAML text file, got a file that is not a text file (${what} at column ${col})`, line, 'NOT_TEXT');
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    refuse(code, shown, 'expected a YAML text file in UTF-8, got a file that is not a text file (not valid UTF-8)', undefined, 'NOT_TEXT');
  }
}

/**
 * Refuses nesting deeper than MAX_YAML_DEPTH before the parser runs, from the lexer's tokens
 * (the lexer is iterative; only the parser recurses). Block depth is the stack of indentations
 * plus compact `- - x` / `? ` indicators on one line; flow depth the open `[` and `{`.
 */
export function checkYamlDepth(text: string, shown: string, code: ConfigErrorCode): void {
  let line = 1;
  let flow = 0;
  let indent = 0;
  let atLineStart = true;
  let lineCounted = false;
  let compact = 0;
  const indents: number[] = [];
  const { CST, Lexer } = yamlLibrary();
  for (const tok of new Lexer().lex(text)) {
    const type = CST.tokenType(tok);
    if (type === 'newline') {
      line++;
      atLineStart = true;
      lineCounted = false;
      indent = 0;
      compact = 0;
      continue;
    }
    if (atLineStart && type === 'space' && /^ +$/.test(tok)) {
      indent = tok.length;
      atLineStart = false;
      continue;
    }
    atLineStart = false;
    if (type === 'comment' || type === 'space' || type === 'doc-mode' || type === 'scalar' || type === 'byte-order-mark') {
      line += countNewlines(tok);
      continue;
    }
    if (!lineCounted && flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      lineCounted = true;
    }
    if ((type === 'seq-item-ind' || type === 'explicit-key-ind') && flow === 0) compact++;
    else if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
    else if ((type === 'flow-seq-end' || type === 'flow-map-end') && flow > 0) flow--;
    const depth = indents.length + compact + flow;
    if (depth > MAX_YAML_DEPTH) {
      refuse(code, shown, `expected YAML nested at most ${MAX_YAML_DEPTH} levels deep (a liftwatch file needs about 6), got deeper nesting`, line, 'YAML_TOO_DEEP');
    }
    line += countNewlines(tok);
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Counts the document's values with every alias expanded, refusing past MAX_YAML_NODES at the
 * line of the alias (or collection) that crosses it, and an alias inside the node it names.
 */
export function checkAliasExpansion(doc: Document, lines: LineCounter, shown: string, code: ConfigErrorCode): void {
  const { isAlias, isCollection, isPair, isScalar } = yamlLibrary();
  const memo = new Map<unknown, number>();
  const active = new Set<unknown>();
  const lineOf = (node: unknown): number | undefined => {
    const at = isPair(node) ? (node.key ?? node.value) : node;
    const range = (at as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  const tooMany = (node: unknown): never =>
    refuse(code, shown, `expected at most ${MAX_YAML_NODES.toLocaleString('en')} values with every alias expanded, got more (an alias bomb?)`, lineOf(node), 'YAML_ALIASES');
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return 1; // the parser reports an unresolved alias itself
      if (active.has(target)) refuse(code, shown, `expected an alias to a node defined before it, got *${node.source} inside the node it names`, lineOf(node), 'YAML_ALIASES');
      const n = size(target);
      if (n > MAX_YAML_NODES) tooMany(node);
      return n;
    }
    let n = 1;
    if (isScalar(node)) return n;
    active.add(node);
    const children: unknown[] = isPair(node) ? [node.key, node.value] : isCollection(node) ? (node.items as unknown[]) : [];
    for (const child of children) {
      n += size(child);
      if (n > MAX_YAML_NODES) tooMany(isAlias(child) || isPair(child) ? child : node);
    }
    active.delete(node);
    memo.set(node, n);
    return n;
  };
  size(doc.contents);
}

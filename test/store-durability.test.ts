/**
 * What a commit costs in fsyncs, counted by strace around the real SqliteOutbox in a child
 * process (docs/storage.md). An append must reach the disk before it returns (synchronous=FULL:
 * a power cut loses nothing committed; Kura's store was corrupted by one, kura #2169); a
 * delivery record need not (losing it only causes a duplicate), so deliveries do not fsync. Regression: SQLite applies
 * `PRAGMA synchronous` when it is compiled, so preparing both settings up front silently left
 * every append at NORMAL.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './uplink-helpers.js';

const PROBE = fileURLToPath(new URL('./fixtures/fsync-probe.js', import.meta.url));
const hasStrace = spawnSync('strace', ['-V']).status === 0;
const ci = process.env['CI'] === 'true';

/** fsync + fdatasync calls made by the probe. */
function syncCalls(dir: string, name: string, appends: number, delivers: number): number {
  const out = join(dir, `${name}.strace`);
  const r = spawnSync('strace', ['-f', '-c', '-o', out, '-e', 'trace=fsync,fdatasync', process.execPath, PROBE, join(dir, `${name}.db`), String(appends), String(delivers)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
  const total = /^\S+\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$/m.exec(readFileSync(out, 'utf8'));
  return Number(total?.[1] ?? 0);
}

void t.test('every append fsyncs; deliveries do not', { skip: !hasStrace && !ci ? 'strace not on PATH' : false }, async (t) => {
  t.ok(hasStrace, 'strace is required in CI');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const base = syncCalls(dir, 'base', 0, 0); // open + close
  const appends = syncCalls(dir, 'appends', 40, 0);
  const both = syncCalls(dir, 'both', 40, 40);
  t.comment(`fsyncs: open+close ${base}, 40 appends ${appends}, 40 appends + 40 deliveries ${both}`);
  t.ok(appends - base >= 40, `at least one fsync per append (${appends - base})`);
  t.ok(both - appends < 10, `deliveries commit without an fsync each (${both - appends} for 40)`);
});

/**
 * SIGKILL while the store is full and evicting: an eviction and the data_gap event
 * announcing it commit together, so after any kill every seq ever assigned is either still in
 * the file or counted as evicted, and the data_gap rows add up to the eviction counter. No
 * broker is reachable, so nothing is delivered and nothing is pruned: the accounting is exact.
 * The writer is test/fixtures/kill-writer.ts with a 1 MiB limit and 40 events per commit.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { freePort, sleep, tempDir } from './uplink-helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/kill-writer.js', import.meta.url));
const MiB = 1024 * 1024;

function runAndKill(args: string[], afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    child.stdout?.once('data', () => {
      timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited by itself (${code}): ${err}`));
    });
  });
}

function account(file: string) {
  const db = new Database(file);
  try {
    const one = (sql: string): number => Number(db.prepare(sql).pluck().get() ?? 0);
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      maxSeq: one(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`),
      rows: one('SELECT COUNT(*) FROM events'),
      gapRows: one(`SELECT COUNT(*) FROM events WHERE kind = 'data_gap'`),
      // Every event keeps its payload row (schema v3), a data_gap's included: an orphan or a
      // missing payload is a broken power-cut guarantee.
      orphanPayloads: one('SELECT COUNT(*) FROM payloads WHERE seq NOT IN (SELECT seq FROM events)'),
      missingPayloads: one('SELECT COUNT(*) FROM events WHERE seq NOT IN (SELECT seq FROM payloads)'),
      gapSum: one(`SELECT COALESCE(SUM(json_extract(p.payload, '$.count')), 0) FROM events e JOIN payloads p ON p.seq = e.seq WHERE e.kind = 'data_gap'`),
      // The first pass found every priority in the store: it must have spared the criticals.
      firstGapCriticals: one(`SELECT COALESCE(json_extract(p.payload, '$.priorities.critical'), 0) FROM events e JOIN payloads p ON p.seq = e.seq WHERE e.kind = 'data_gap' ORDER BY e.seq LIMIT 1`),
      evictions: one(`SELECT value FROM meta WHERE key = 'evictions'`),
      dataGaps: one(`SELECT value FROM meta WHERE key = 'data_gaps'`),
      delivered: one('SELECT COUNT(*) FROM events WHERE delivered_at IS NOT NULL'),
    };
  } finally {
    db.close();
  }
}

void t.test('SIGKILL during eviction: every seq is in the file or announced by a data_gap', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'full.db');
  const deadPort = await freePort(); // nothing listens: the writer never connects
  const delays: number[] = [];
  for (let k = 0; k < 5; k++) {
    const delay = Math.round(300 + Math.random() * 900);
    delays.push(delay);
    await runAndKill([String(deadPort), file, String(MiB), '40'], delay);
    await sleep(10);
    const a = account(file);
    t.equal(a.integrity, 'ok', `kill ${k + 1} after ${delay} ms: integrity_check ok`);
    t.equal(a.delivered, 0, 'nothing delivered, so nothing pruned');
    t.equal(a.rows + a.evictions, a.maxSeq, `kill ${k + 1}: ${a.rows} rows + ${a.evictions} evicted = ${a.maxSeq} seqs assigned`);
    t.equal(a.gapSum, a.evictions, 'the data_gap rows add up to the eviction counter');
    t.equal(a.orphanPayloads + a.missingPayloads, 0, `kill ${k + 1}: every event has its payload and no payload outlives its event`);
    t.equal(a.gapRows, a.dataGaps, 'every data_gap row is still there');
    t.equal(a.firstGapCriticals, 0, 'the first eviction pass spared every critical');
  }
  const last = account(file);
  t.comment(`killed after ${delays.join(', ')} ms: ${last.maxSeq} seqs, ${last.evictions} evicted in ${last.dataGaps} data_gap events`);
  t.ok(last.evictions > 0, 'the limit was reached');
});

/**
 * Benchmark 6, scale: with 1M events stored (a long outage: all undelivered), the
 * real SqliteOutbox's insert, eviction, drain and prune rates against a small store doing the
 * same work. Eviction and pruning go through the store's own retention (src/store/retention.ts): the store is
 * reopened with a `storage.maxBytes` that W events' worth of rows exceed, exactly what a
 * restart with a lowered limit does; its first pass evicts undelivered events lowest priority
 * first (and announces a data_gap); a later reopen with maxAgeDays 0 prunes the delivered events
 * by age (exactly the W drained, on both stores). Target: every rate
 * on the large store within 2× of the small store's (ratio = large / small ≥ 0.5).
 */
import Database from 'better-sqlite3';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { newUuidV7 } from '../src/platform/uuid-v7.js';
import type { Outbox } from '../src/ports/outbox.js';
import type { Bench, Measured } from './lib/bench.js';
import type { Figure } from './lib/report.js';
import { tempDir } from './lib/env.js';
import { fillOutbox } from './lib/events.js';
import { round } from './lib/stats.js';
import { SYSTEM_PORTS } from '../test/helpers/ports.js';

const HUGE = 64 * 1024 ** 3; // a limit nothing reaches while filling
const FOREVER_DAYS = 36_500;

/** Opens with limits through the options object of whichever outbox version is built. */
function openWith(path: string, maxBytes: number, maxAgeDays = FOREVER_DAYS): Outbox {
  const options: Record<string, unknown> = { limits: { maxBytes, maxAgeDays } };
  return SqliteOutbox.open(path, { ...SYSTEM_PORTS, ...options });
}

function usedBytesAndRows(path: string): { used: number; rows: number } {
  const db = new Database(path, { readonly: true });
  try {
    const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
    const used = pages * (db.pragma('page_size', { simple: true }) as number);
    const rows = db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
    return { used, rows };
  } finally {
    db.close();
  }
}

/**
 * A storage.maxBytes that makes the open's retention pass free about `excess` bytes. The pass
 * runs only when used > maxBytes and then frees down to 90 % of maxBytes (hysteresis), so it
 * always frees at least 10 % of the store: on a large store the pass frees more than `excess`;
 * the rate is rows freed per second either way.
 */
function limitToFree(used: number, excess: number): number {
  return excess > 0.1 * used ? Math.floor((used - excess) / 0.9) : used - 4096;
}

/** Rows written through the outbox before the large store is grown by copying them in SQL. */
const SEED_ROWS = 10_000;

/**
 * Grows a store to its size fast: copies of the rows the outbox wrote (every column as the
 * outbox stores it; distinct alarm ids; fresh event ids from the outbox's own id generator, so
 * the `event_id` index is the one a store this version filled would have: time-ordered
 * UUIDv7 now, random in earlier versions), in one transaction. Setup only: none of it is timed as a
 * rate.
 */
function replicate(path: string, rows: number): void {
  const db = new Database(path);
  db.function('new_event_id', { deterministic: false }, () => newUuidV7());
  try {
    const cols = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>)
      .map((c) => c.name)
      .filter((n) => n !== 'seq' && n !== 'event_id' && n !== 'alarm_id');
    const seed = db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO events (event_id, alarm_id, ${cols.join(', ')})
         SELECT new_event_id(), alarm_id || '-' || (n.i / ?), ${cols.map((c) => `e.${c}`).join(', ')}
         FROM n JOIN events e ON e.seq = 1 + (n.i % ?)`,
      ).run(rows - 1, seed, seed);
      // Schema v3: every event has its payload row (src/store/schema.ts); a copy gets its seed's.
      db.prepare(
        `INSERT INTO payloads (seq, payload)
         SELECT e.seq, p.payload FROM events e JOIN payloads p ON p.seq = 1 + ((e.seq - 1) % ?) WHERE e.seq > ?`,
      ).run(seed, seed);
    })();
  } finally {
    db.close();
  }
}

interface Rates {
  insert: number;
  evict: number;
  drain: number;
  prune: number;
  evicted: number;
  pruned: number;
}

/**
 * On a store holding `base` undelivered events: insert W (batches of 100), evict about W by a
 * lowered limit, drain W (pending(100) + markDelivered, as the dispatcher does), prune them.
 */
function measure(path: string, from: number, work: number, maintainable: boolean): Rates {
  let ob = openWith(path, HUGE);
  const insertMs = fillOutbox(ob, from, work, 100);
  ob.close();

  let evict = Number.NaN;
  let evicted = 0;
  if (maintainable) {
    const { used, rows } = usedBytesAndRows(path);
    const t0 = performance.now();
    ob = openWith(path, limitToFree(used, work * (used / rows)));
    const ms = performance.now() - t0;
    ob.close();
    evicted = rows - usedBytesAndRows(path).rows;
    evict = (evicted / ms) * 1000;
  }

  ob = openWith(path, HUGE);
  let drained = 0;
  const t1 = performance.now();
  while (drained < work) {
    const batch = ob.pending(100);
    if (batch.length === 0) break;
    // With each row's priority, as the dispatcher records PUBACKs (the delivered watermark).
    const priority = new Map(batch.map((e) => [e.seq, e.priority]));
    ob.markDelivered(batch.map((e) => e.seq), Date.now(), (seq) => priority.get(seq));
    drained += batch.length;
  }
  const drainMs = performance.now() - t1;
  ob.close();

  // Pruning by age (maxAgeDays 0: every delivered row is older than the open), so both stores
  // prune exactly the `drained` delivered rows and nothing else. Pruning by a lowered size limit
  // cannot do the same work on both: it frees 10 % of the bytes (LOW_WATER), which on the large
  // store is far more than W delivered rows, and went on evicting undelivered ones (measured:
  // 10,000 pruned + 136,204 evicted on the 1M store, 9,381 pruned on the small one).
  let prune = Number.NaN;
  let pruned = 0;
  if (maintainable) {
    const { rows } = usedBytesAndRows(path);
    const t2 = performance.now();
    ob = openWith(path, HUGE, 0);
    const ms = performance.now() - t2;
    ob.close();
    pruned = rows - usedBytesAndRows(path).rows;
    prune = (pruned / ms) * 1000;
  }
  return { insert: (work / insertMs) * 1000, evict, drain: (drained / drainMs) * 1000, prune, evicted, pruned };
}

export const scaleBench: Bench = {
  name: 'scale',
  title: 'Scale: 1M stored events',
  target: 'insert, drain and eviction within 2× of a small store',
  async run(opts): Promise<Measured> {
    const big = opts.quick ? 200_000 : 1_000_000;
    const work = opts.quick ? 5_000 : 10_000;
    // 4·W, not 2·W: freeing W rows' bytes evicts about 2·W rows (partly emptied pages, see the
    // notes), so a 2·W store was drained dry (fewer than W drained) and its prune deleted the
    // whole file, which SQLite shrinks by truncation alone, while the large store's prune leaves
    // holes before live rows that the incremental vacuum must fill by moving pages. With 4·W,
    // W rows are drained and rows remain after them on both stores: the same work.
    const small = 4 * work;
    const tmp = tempDir('scale');
    try {
      const probe = SqliteOutbox.open(`${tmp.dir}/probe.db`, SYSTEM_PORTS);
      const maintainable = typeof (probe as unknown as { maintain?: unknown }).maintain === 'function';
      probe.close();

      const smallPath = `${tmp.dir}/small.db`;
      const bigPath = `${tmp.dir}/big.db`;
      let ob = openWith(smallPath, HUGE);
      fillOutbox(ob, 0, small, 5000);
      ob.close();
      opts.log(`scale: filling ${big.toLocaleString('en-US')} events`);
      ob = openWith(bigPath, HUGE);
      const t0 = performance.now();
      fillOutbox(ob, 0, SEED_ROWS, 5000);
      ob.close();
      replicate(bigPath, big - SEED_ROWS);
      const fillMs = performance.now() - t0;
      const bigBytes = usedBytesAndRows(bigPath).used;

      opts.log('scale: small store');
      const s = measure(smallPath, small, work, maintainable);
      opts.log('scale: large store');
      const l = measure(bigPath, big, work, maintainable);

      const ratios: Record<string, number> = {
        insert: l.insert / s.insert,
        drain: l.drain / s.drain,
        ...(maintainable ? { evict: l.evict / s.evict, prune: l.prune / s.prune } : {}),
      };
      const worst = Math.min(...Object.values(ratios));
      const worstName = Object.entries(ratios).find(([, v]) => v === worst)?.[0] ?? '';
      const per = (r: Rates): Record<string, Figure> => ({
        'insert events/s': round(r.insert, 0),
        'evict events/s': round(r.evict, 0),
        'drain events/s': round(r.drain, 0),
        'prune events/s': round(r.prune, 0),
        'rows freed by evict / prune pass': `${r.evicted} / ${r.pruned}`,
      });
      const lf = per(l);
      const sf = per(s);
      return {
        headline: `worst large/small ratio ${round(worst, 2)} (${worstName}); ${Object.entries(ratios).map(([k, v]) => `${k} ${round(v, 2)}`).join(', ')}`,
        ratio: round(worst),
        pass: worst >= 0.5,
        figures: { ...lf, 'stored events': big, 'store MB': round(bigBytes / 1024 ** 2, 0), 'fill events/s': round((big / fillMs) * 1000, 0) },
        baseline: { ...sf, 'stored events': small },
        notes: [
          `Large store: ${big.toLocaleString('en-US')} undelivered events (${round(bigBytes / 1024 ** 2, 0)} MB); small store: ${small.toLocaleString('en-US')}. Each then: insert W = ${work.toLocaleString('en-US')} (append, 100 per transaction, synchronous=FULL), evict ≈ W, drain W (pending(100) + markDelivered), prune the W delivered.`,
          maintainable
            ? 'Eviction and pruning are the store\'s own retention pass (SqliteOutbox maintain), timed over the open that runs it (the open itself included). Eviction: reopening with a lowered storage.maxBytes; the pass frees down to 90 % of the limit, so on the large store it frees 10 % of the bytes (more than W rows; partly emptied pages free less than their rows, so more rows than bytes / mean row). Pruning: reopening with storage.maxAgeDays 0, which prunes exactly the W delivered rows on both stores.'
            : 'This build has no retention API (SqliteOutbox.maintain): eviction and pruning were not measured.',
          `Setup: the large store's first ${SEED_ROWS.toLocaleString('en-US')} rows are written by the outbox, the rest are SQL copies of them (same columns, fresh event ids from the outbox's own generator); fill rate below is that setup, not a figure of merit.`,
          ...(opts.quick ? [`Quick mode: ${big.toLocaleString('en-US')} stored events instead of the full run's 1M.`] : []),
        ],
      };
    } finally {
      tmp.remove();
    }
  },
};

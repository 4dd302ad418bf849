/**
 * Footprint over days: the agent's SQLite connections run with SQLite's default 2 MB page cache, not the
 * 16 MB better-sqlite3 is built with, so RSS does not creep towards 16 MB per connection as the
 * database grows (src/store/schema.ts, PAGE_CACHE_KIB).
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { PAGE_CACHE_KIB } from '../src/store/schema.js';
import { SqliteOutbox } from '../src/store/sqlite-outbox.js';
import { UsageStore } from '../src/store/usage-store.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

const cacheSize = (store: object): number => (store as unknown as { db: Database.Database }).db.pragma('cache_size', { simple: true }) as number;

void t.test('outbox and usage store connections bound their page cache', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.equal(PAGE_CACHE_KIB, 2000);
  const outbox = SqliteOutbox.open(path.join(dir, 'o.db'), SYSTEM_PORTS);
  t.teardown(() => outbox.close());
  t.equal(cacheSize(outbox), -PAGE_CACHE_KIB, 'outbox: cache_size in KiB');
  const usage = UsageStore.open(path.join(dir, 'u.db'), { clock: SYSTEM_PORTS.clock });
  t.teardown(() => usage.close());
  t.equal(cacheSize(usage), -PAGE_CACHE_KIB, 'usage store: cache_size in KiB');
});

/**
 * The runtime environment the systemd unit gives the agent (systemd/liftwatch.service:
 * `Environment=NODE_OPTIONS=...`, `Environment=MALLOC_ARENA_MAX=...`), so the footprint
 * benchmark measures the agent as it is deployed. The bare baseline gets the same
 * environment: the difference between the two is then what liftwatch itself holds, not the
 * effect of the runtime settings (which also shrink a bare process).
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/config/load.js';

/** The variables the unit sets that change a Node process's memory. */
const MEMORY_VARS = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'] as const;

/** `Environment=` assignments of a unit file (systemd.exec(5): quoted "K=V" or bare K=V, several per line). */
export function unitEnvironment(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*Environment=(.*)$/.exec(line);
    if (!m) continue;
    for (const a of (m[1] ?? '').match(/"[^"]*"|\S+/g) ?? []) {
      const kv = a.startsWith('"') ? a.slice(1, -1) : a;
      const eq = kv.indexOf('=');
      if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  }
  return out;
}

/** process.env plus the unit's memory-relevant variables. */
export function unitRuntimeEnv(unitFile: string = path.join(packageRoot(), 'systemd', 'liftwatch.service')): {
  env: NodeJS.ProcessEnv;
  applied: Record<string, string>;
} {
  const all = unitEnvironment(fs.readFileSync(unitFile, 'utf8'));
  const applied: Record<string, string> = {};
  for (const k of MEMORY_VARS) if (all[k] !== undefined) applied[k] = all[k];
  return { env: { ...process.env, ...applied }, applied };
}

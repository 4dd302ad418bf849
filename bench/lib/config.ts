/**
 * Builds agent configurations the way a user does: a YAML file validated by the real loader
 * (config/schema.json, defaults applied), so the benchmarks run the agent a user would run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadAll } from '../../src/cli/load.js';
import { packageRoot } from '../../src/config/load.js';
import type { Config, DeviceProfile } from '../../src/config/types.js';

export interface BenchConfigOptions {
  dir: string;
  dbFile: string;
  busPort: number;
  mqttUrl: string;
  lifts: number;
  pollIntervalMs: number;
  interFrameGapMs?: number;
  rules?: Record<string, { confirmMs?: number; clearMs?: number; enabled?: boolean }>;
  inflight?: number;
}

/** True when config/schema.json knows `uplink.<key>` (features landing concurrently, e.g. backlog pacing). */
export function uplinkSchemaHas(key: string): boolean {
  const schema = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'config', 'schema.json'), 'utf8')) as {
    properties?: { uplink?: { properties?: Record<string, unknown> } };
  };
  return Boolean(schema.properties?.uplink?.properties?.[key]);
}

/** One RTU-over-TCP bus served by the simulator, `lifts` lifts on it (unit ids 1..n, liftwatch-sim profile). */
export function benchConfigDoc(o: BenchConfigOptions): Record<string, unknown> {
  const uplink: Record<string, unknown> = { url: o.mqttUrl, reconnectMinMs: 100, reconnectMaxMs: 1000 };
  if (o.inflight !== undefined) uplink['inflight'] = o.inflight;
  // Backlog pacing (uplink.backlogRatePerSec) would measure the pacing, not the path: 0 = unpaced, when present.
  if (uplinkSchemaHas('backlogRatePerSec')) uplink['backlogRatePerSec'] = 0;
  return {
    site: { id: 'bench-site', name: 'Bench Tower' },
    gateway: { id: 'bench-gw' },
    buses: [
      {
        id: 'sim',
        type: 'modbus-rtu-over-tcp',
        host: '127.0.0.1',
        port: o.busPort,
        timeoutMs: 300,
        retries: 1,
        interFrameGapMs: o.interFrameGapMs ?? 2,
      },
    ],
    lifts: Array.from({ length: o.lifts }, (_, i) => ({
      id: `L${i + 1}`,
      label: `Lift ${i + 1}`,
      bus: 'sim',
      unitId: i + 1,
      profile: 'liftwatch-sim',
      landings: ['0', '1', '2', '3', '4', '5'],
      pollIntervalMs: o.pollIntervalMs,
    })),
    uplink,
    storage: { path: o.dbFile },
    ...(o.rules ? { rules: o.rules } : {}),
  };
}

/** Writes the document as `<dir>/bench.yaml` and loads it with the real loader. */
export function writeAndLoad(dir: string, doc: Record<string, unknown>): {
  file: string;
  config: Config;
  profiles: Map<string, DeviceProfile>;
} {
  const file = path.join(dir, 'bench.yaml');
  fs.writeFileSync(file, stringify(doc));
  return { file, ...loadAll(file) };
}

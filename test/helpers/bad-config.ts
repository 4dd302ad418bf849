/**
 * For the tests of configurations the agent must refuse: a runnable base config in a fresh
 * directory, written as YAML so every key has a line, and what is on disk before and after
 * (every file with its hash, every socket), so a test can say that `run` left nothing behind
 * and lost no byte.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export type Obj = Record<string, any>;

/** A directory any user can enter (tests that run the CLI as `nobody` need that). */
export function siteDir(prefix = 'lw-bad-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * A config that `run` would start with: one lift on a TCP bus nobody serves (the agent polls
 * and fails quietly), a broker URL nobody answers, database and sockets under `dir`.
 */
export function baseConfig(dir: string): Obj {
  return {
    site: { id: 'bad-site', name: 'Bad Config House' },
    gateway: { id: 'gw1' },
    buses: [{ id: 'field', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port: 9, timeoutMs: 200, retries: 0 }],
    lifts: [{ id: 'A', bus: 'field', unitId: 1, profile: 'liftwatch-sim', landings: ['0', '1', '2'] }],
    uplink: { url: 'mqtt://127.0.0.1:9', reconnectMinMs: 100, reconnectMaxMs: 500 },
    storage: { path: path.join(dir, 'var', 'lw.db') },
    diagnostics: { socket: path.join(dir, 'run', 'lw.sock'), group: false },
    schedule: { selfTest: { enabled: false } },
  };
}

export function writeConfig(dir: string, config: Obj, name = 'liftwatch.yaml'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, stringify(config));
  return file;
}

/** Every entry under `dir`: a file as its sha256, a directory as `dir`, a socket as `socket`. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      const rel = path.relative(dir, full);
      if (st.isDirectory()) {
        out[rel] = 'dir';
        walk(full);
      } else if (st.isSocket()) out[rel] = 'socket';
      else if (st.isFile()) out[rel] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      else out[rel] = 'other';
    }
  };
  walk(dir);
  return out;
}

/** True when host:port can be bound now (nothing was left listening there). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Holds a TCP port until `close()`. */
export async function holdPort(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, host, () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

/** Machine facts, temp directories, free ports and a quiet logger for the benchmarks. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../src/ports/logger.js';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  loadAvg1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    loadAvg1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** A fresh directory under the OS temp dir, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `liftwatch-bench-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Asks the kernel for a free loopback port (for programs that cannot bind port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A logger that drops debug/info and keeps warnings and errors for the report. */
export class BenchLogger implements Logger {
  constructor(
    private readonly sink: string[] = [],
    private readonly ns = 'bench',
  ) {}
  get problems(): readonly string[] {
    return this.sink;
  }
  child(namespace: string): Logger {
    return new BenchLogger(this.sink, `${this.ns}:${namespace}`);
  }
  debug(): void {}
  info(): void {}
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.keep('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.keep('error', msg, fields);
  }
  private keep(level: string, msg: string, fields?: Record<string, unknown>): void {
    if (this.sink.length < 50) this.sink.push(`${level} [${this.ns}] ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}`);
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the child has exited (at once if it already has). */
export function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(t), resolve()));
    child.kill('SIGTERM');
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `cond` every `everyMs` until true or the deadline passes; returns whether it became true. */
export async function waitFor(cond: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(everyMs);
  }
  return cond();
}

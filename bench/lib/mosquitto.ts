/**
 * Starts Debian's mosquitto on a free loopback port with a generated config, for benchmarks
 * that need a real external broker. `max_queued_messages` is raised (toolchain.md: the
 * default 1000 drops messages for slow subscribers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, sleep } from './env.js';

export function mosquittoPath(): string | null {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export class Mosquitto {
  private child: ChildProcess | null = null;
  port = 0;

  constructor(private readonly dir: string) {}

  async start(): Promise<{ port: number; url: string }> {
    const bin = mosquittoPath();
    if (!bin) throw new Error('mosquitto is not installed (Debian package mosquitto)');
    this.port = await freePort();
    const conf = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'max_queued_messages 1000000',
        'max_inflight_messages 0',
        'log_type error',
        'log_dest stderr',
        '',
      ].join('\n'),
    );
    const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr.trim()}`);
      if (await canConnect(this.port)) return { port: this.port, url: `mqtt://127.0.0.1:${this.port}` };
      await sleep(50);
    }
    await this.stop();
    throw new Error(`mosquitto did not listen on ${this.port}: ${stderr.trim()}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

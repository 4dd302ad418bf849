/**
 * A socat pty pair (toolchain.md: `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`), so
 * the demo can serve a serial-frames bus without hardware: the agent opens one end, the
 * simulator the other. A pty ignores the baud rate and has no RTS/DTR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { SimError } from '../errors.js';

export class PtyPair {
  private child: ChildProcess | null = null;

  constructor(
    readonly a: string,
    readonly b: string,
    private readonly socat: string = 'socat',
  ) {}

  async start(timeoutMs = 5000): Promise<void> {
    const child = spawn(this.socat, [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.child = child;
    const failed = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (fs.existsSync(this.a) && fs.existsSync(this.b)) return;
      const err = await Promise.race([failed, new Promise<null>((r) => setTimeout(() => r(null), 25))]);
      if (err || child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        const why = err ? err.message : child.exitCode !== null ? `socat exited with ${child.exitCode}` : 'timed out';
        throw new SimError('SIM_SERIAL_FAILED', `cannot create a pty pair ${this.a} <-> ${this.b}: ${why}`, { path: this.a });
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await exited;
  }
}

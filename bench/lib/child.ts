/** Runs a compiled bench child (dist/bench/children/*.js) with an IPC channel. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export class BenchChild<Ready extends object> {
  private child: ChildProcess | null = null;

  constructor(
    private readonly script: string, // file name under dist/bench/children
    private readonly args: string[] = [],
    /** The child's environment; default this process's. */
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child and resolves with its first message (which must carry `ready: true`). */
  start(timeoutMs = 15_000): Promise<Ready> {
    const file = fileURLToPath(new URL(`../children/${this.script}`, import.meta.url));
    const child = fork(file, this.args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(this.env ? { env: this.env } : {}) });
    this.child = child;
    return new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.script} not ready within ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m) => {
        clearTimeout(timer);
        const msg = m as Ready & { ready?: boolean; error?: string };
        if (msg.ready) resolve(msg);
        else reject(new Error(`${this.script}: ${msg.error ?? 'failed'}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.script} exited with ${code}`));
      });
    });
  }

  /** Sends a request and resolves with the next message. */
  ask<T>(request: unknown, timeoutMs = 10_000): Promise<T> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('child not started'));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.script}: no answer within ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      child.send(request as object);
    });
  }

  /** Asks the child to stop, then kills it if it has not exited within the bound. */
  async stop(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

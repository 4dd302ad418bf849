/**
 * A socat pty pair for benchmarks: two linked device paths, bytes written to one come out of
 * the other, as on a serial line (the same as test/helpers/tools.ts, for the bench side).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PtyPair {
  a: string;
  b: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** socat's path when it is on PATH, else null. */
export function socatPath(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const full = path.join(dir, 'socat');
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

export async function ptyPair(socat: string, dir: string, name: string): Promise<PtyPair> {
  const a = path.join(dir, `${name}-sim`);
  const b = path.join(dir, `${name}-agent`);
  const child = spawn(socat, [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(a) && fs.existsSync(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error('socat did not create the pty pair');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a,
    b,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill();
      await exited;
    },
  };
}

/**
 * Debian tools some tests need (socat, mosquitto). A test runs whenever the tool is present;
 * without it the test is skipped, except under CI=true, where a missing tool is a failure
 * (.ci/run installs them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

export function onPath(cmd: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

// tap's Test has overloaded fail/skip; only the one-string form is used here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Tap = { fail: Function; skip: Function };

/** The tool's path, or null after recording a skip (or, in CI, a failure). */
export function needTool(t: Tap, cmd: string, pkg: string): string | null {
  const found = onPath(cmd);
  if (found) return found;
  if (process.env['CI'] === 'true') t.fail(`${cmd} is required in CI (apt-get install ${pkg})`);
  else t.skip(`${cmd} not on PATH (apt-get install ${pkg})`);
  return null;
}

/** A socat pty pair: `a` and `b` are linked device paths; bytes written to one come out of the other. */
export async function ptyPair(socat: string, dir: string): Promise<{ a: string; b: string; child: ChildProcess; stop(): Promise<void> }> {
  const a = path.join(dir, 'tty-a');
  const b = path.join(dir, 'tty-b');
  const child = spawn(socat, [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(a) && fs.existsSync(b))) {
    if (Date.now() > deadline) throw new Error('socat did not create the pty pair');
    await new Promise((r) => setTimeout(r, 20));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await exited;
  };
  return { a, b, child, stop };
}

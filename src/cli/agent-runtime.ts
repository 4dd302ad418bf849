/**
 * The V8 limits the agent runs with, whoever starts it: the old generation bounded (a leak
 * becomes a restart, not an out-of-memory box) and the young generation capped at 2 MB per
 * semi-space (V8's default lets polling grow it to 16 MB, 32 MB of pages that stay resident).
 * systemd/liftwatch.service sets the same in NODE_OPTIONS.
 *
 * V8 reads both only when it sets up the heap: `v8.setFlagsFromString` after start changes
 * neither (measured: the heap limit and the new space stay at their defaults). So `liftwatch
 * run` started without them runs the agent in a child Node given them, and waits for it: the
 * waiting parent has loaded nothing but this module (docs/performance.md, footprint).
 *
 * `LIFTWATCH_REEXEC=0` turns this off (one process, V8's defaults).
 *
 * Imported first by main.ts: when it re-executes, its top-level await holds back every other
 * module of the command line until the child has exited.
 */
export const AGENT_V8_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;

/** The flags of AGENT_V8_FLAGS whose option is in neither the command line nor NODE_OPTIONS. */
export function missingFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => a.split('=')[0]?.replace(/_/g, '-'));
  return AGENT_V8_FLAGS.filter((f) => !given.includes(f.split('=')[0]));
}

const CHILD_MARK = 'LIFTWATCH_AGENT_CHILD';

if (process.env[CHILD_MARK] === '1' && process.channel) {
  delete process.env[CHILD_MARK];
  process.channel.unref(); // the channel alone never keeps the agent running
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

const missing = process.argv[2] === 'run' && process.env['LIFTWATCH_REEXEC'] !== '0' ? missingFlags(process.execArgv, process.env['NODE_OPTIONS']) : [];
if (missing.length > 0) {
  const { spawn } = await import('node:child_process'); // only when re-executing
  // The IPC channel is the child's lifeline: if this process dies without passing a signal on
  // (SIGKILL), the channel closes and the agent stops cleanly instead of running on orphaned.
  const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  // SIGTERM and SIGHUP go to the agent. Ctrl-C on a terminal reaches the whole foreground
  // process group, the agent included, so SIGINT is passed on only when there is no terminal
  // (a second SIGINT would cut the agent's clean stop short).
  const pass = (sig: NodeJS.Signals) => () => void child.kill(sig);
  process.on('SIGTERM', pass('SIGTERM'));
  process.on('SIGHUP', pass('SIGHUP'));
  process.on('SIGINT', process.stdin.isTTY ? () => undefined : pass('SIGINT'));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('exit', (c, s) => resolve([c, s]));
    child.on('error', () => resolve([1, null]));
  });
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

/**
 * sd_notify(3) without a native module. Node has no unix datagram sockets, so the message is
 * handed to systemd's own `systemd-notify` helper (the service runs with NotifyAccess=all).
 * By default systemd-notify (since systemd 246) waits on a BARRIER=1 until the service
 * manager has read the message, so the message cannot be lost to the race in which the
 * helper exits before PID 1 attributes it to our unit.
 *
 * At most one helper runs at a time and at most one message waits behind it (the newest wins):
 * a stuck helper can never grow a queue (a box that runs for years unattended must have no
 * unbounded queue anywhere).
 */
import { execFile } from 'node:child_process';

export interface Notifier {
  /** True when a service manager asked for notifications ($NOTIFY_SOCKET is set). */
  readonly enabled: boolean;
  /** Sends `KEY=VALUE` assignments (e.g. { READY: '1', STATUS: 'polling 2 buses' }). */
  notify(fields: Record<string, string>): Promise<void>;
}

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of the helper; default `systemd-notify` on PATH. */
  binary?: string;
  /** Kill a helper that takes longer than this (default 5000 ms). */
  timeoutMs?: number;
  /** Our pid, sent as MAINPID with READY (default process.pid). */
  pid?: number;
  onError?: (err: Error) => void;
}

export class SdNotifyError extends Error {
  readonly code = 'SD_NOTIFY_FAILED';
}

export class SdNotify implements Notifier {
  private busy: Promise<void> | null = null;
  private pendingFields: Record<string, string> | null = null;
  private pendingWaiters: Array<() => void> = [];
  private sent = 0;
  private failed = 0;

  constructor(private readonly opts: SdNotifyOptions = {}) {}

  get enabled(): boolean {
    return Boolean(this.socket);
  }

  get counts(): { sent: number; failed: number } {
    return { sent: this.sent, failed: this.failed };
  }

  private get socket(): string | undefined {
    return (this.opts.env ?? process.env)['NOTIFY_SOCKET'] || undefined;
  }

  notify(fields: Record<string, string>): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    if (!this.busy) {
      this.busy = this.send(fields).finally(() => this.drain());
      return this.busy;
    }
    // One message waits behind the running helper; newer fields overwrite older ones.
    this.pendingFields = { ...(this.pendingFields ?? {}), ...fields };
    return new Promise((resolve) => this.pendingWaiters.push(resolve));
  }

  /** Resolves once no helper is running. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  private drain(): void {
    const next = this.pendingFields;
    const waiters = this.pendingWaiters;
    this.pendingFields = null;
    this.pendingWaiters = [];
    if (!next) {
      this.busy = null;
      return;
    }
    this.busy = this.send(next).finally(() => {
      for (const w of waiters) w();
      this.drain();
    });
  }

  private send(fields: Record<string, string>): Promise<void> {
    const args: string[] = [];
    if (fields['READY'] === '1') args.push(`--pid=${this.opts.pid ?? process.pid}`);
    for (const [k, v] of Object.entries(fields)) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(k) || /\n/.test(v)) {
        this.failed++;
        this.opts.onError?.(new SdNotifyError(`invalid sd_notify field ${k}`));
        return Promise.resolve();
      }
      args.push(`${k}=${v}`);
    }
    return new Promise<void>((resolve) => {
      execFile(
        this.opts.binary ?? 'systemd-notify',
        args,
        { env: { ...(this.opts.env ?? process.env) }, timeout: this.opts.timeoutMs ?? 5000, windowsHide: true },
        (err) => {
          if (err) {
            this.failed++;
            this.opts.onError?.(new SdNotifyError(`systemd-notify ${args.join(' ')} failed: ${err.message}`));
          } else {
            this.sent++;
          }
          resolve();
        },
      );
    });
  }
}

/** The watchdog period systemd asked for ($WATCHDOG_USEC, honouring $WATCHDOG_PID), or null. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | null {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  const wpid = env['WATCHDOG_PID'];
  if (wpid && Number(wpid) !== pid) return null;
  return Math.floor(usec / 1000);
}

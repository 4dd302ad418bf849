/** Shared fakes for the frames tests (not a test itself): a manual clock and a byte stream. */
import type { Instant } from '../src/core/types.js';
import type { Clock, TimerHandle } from '../src/ports/clock.js';
import type { ByteStream } from '../src/ports/byte-stream.js';
import type { Logger } from '../src/ports/logger.js';
import type { FramesBusConfig } from '../src/config/types.js';
import type { SimSignals } from '../src/sim/register-image.js';

/** Time moves only when the test says so; due timers fire in order. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): Instant {
    return { mono: this.t, wall: 1_700_000_000_000 + this.t };
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(h: TimerHandle): void {
    this.timers.delete(h.id as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Advances time by `ms`, firing due timers (and letting promise continuations run). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}

/** An in-memory ByteStream: records writes, lets the test inject received bytes. */
export class FakeStream implements ByteStream {
  isOpen = false;
  readonly written: Buffer[] = [];
  opens = 0;
  failOpen = false;
  private data: ((chunk: Buffer) => void) | null = null;
  /** Called on every write: a fake controller answering. */
  onWrite: ((data: Buffer) => void) | null = null;

  async open(): Promise<void> {
    if (this.failOpen) throw Object.assign(new Error('no such port'), { code: 'ENOENT' });
    this.isOpen = true;
    this.opens++;
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
  async write(data: Uint8Array): Promise<void> {
    const b = Buffer.from(data);
    this.written.push(b);
    this.onWrite?.(b);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.data = listener;
  }
  onClose(): void {}
  receive(chunk: Uint8Array): void {
    this.data?.(Buffer.from(chunk));
  }
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

export const BUS: FramesBusConfig = {
  id: 'f', type: 'serial-frames', port: '/dev/null', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1,
  timeoutMs: 100, silenceTimeoutMs: 500, interFrameGapMs: 2, maxBufferBytes: 4096,
};

export function simSignals(over: Partial<SimSignals> = {}): SimSignals {
  return {
    safetyChain: true, doorZone: true, doorOpenLimit: true, doorClosedLimit: false, doorLocked: false, moving: false,
    alarmButton: false, inspection: false, fireService: false, outOfService: false, overload: false, mainsPower: true,
    endOfAlarm: false, controlVoltage: true, carLight: true, alarmDeviceFault: false, callRegistered: false,
    doorOpenCommand: false, floor: 1, direction: 'none', faultCode: 0, ...over,
  };
}


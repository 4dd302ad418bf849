/**
 * Serves simulated lifts over a plain-frames line on a serial device (one end of a socat pty
 * pair in tests and the demo, a USB RS-232/RS-485 adapter on the bench): the ASCII printer
 * protocol prints every `periodMs`; the binary protocol answers enquiries.
 */
import { SerialPort } from 'serialport';
import { SimError } from '../errors.js';
import type { FramesLink } from './frames-link.js';
import { PtyPair } from './pty-pair.js';

export interface FramesSerialServerOptions {
  path: string;
  baudRate?: number;
  link: FramesLink;
  /** ASCII status period (default 250 ms). */
  periodMs?: number;
  logger?: (line: string) => void;
  /** Demo: first create a socat pty pair whose other end (for the agent) is linked here. */
  ptyPeer?: string;
}

export class FramesSerialServer {
  private port: SerialPort | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pty: PtyPair | null = null;

  constructor(private readonly opts: FramesSerialServerOptions) {}

  async start(): Promise<void> {
    const { path } = this.opts;
    if (this.opts.ptyPeer) {
      this.pty = new PtyPair(this.opts.ptyPeer, path);
      await this.pty.start();
    }
    const port = new SerialPort({ path, baudRate: this.opts.baudRate ?? 9600, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) =>
        port.open((err) => (err ? reject(new SimError('SIM_SERIAL_FAILED', `cannot open ${path}: ${err.message}`, { path })) : resolve())),
      );
    } catch (err) {
      await this.pty?.stop();
      this.pty = null;
      throw err;
    }
    port.on('error', (err) => this.opts.logger?.(`serial ${path}: ${err.message}`));
    port.on('data', (chunk: Buffer) => {
      for (const out of this.opts.link.receive(chunk)) port.write(out);
    });
    this.port = port;
    this.timer = setInterval(() => {
      if (!port.isOpen) return;
      for (const out of this.opts.link.periodic()) port.write(out);
    }, this.opts.periodMs ?? 250);
    this.opts.logger?.(`serving plain frames on ${path}`);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.pty?.stop();
    this.pty = null;
  }
}

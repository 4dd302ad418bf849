/**
 * Serves simulated lifts as RTU slaves on a serial device (a USB RS-485 adapter on the bench,
 * or one end of a socat pty pair in tests). Only this adapter imports `serialport`.
 */
import { SerialPort } from 'serialport';
import { SimError } from './errors.js';
import type { SlaveLink } from './slave-link.js';

export interface SerialServerOptions {
  path: string;
  baudRate?: number;
  link: SlaveLink;
  logger?: (line: string) => void;
}

export class SerialSlaveServer {
  private readonly opts: SerialServerOptions;
  private port: SerialPort | null = null;
  private detach: (() => void) | null = null;

  constructor(opts: SerialServerOptions) {
    this.opts = opts;
  }

  async start(): Promise<void> {
    const port = new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate ?? 19200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(new SimError('SIM_SERIAL_FAILED', `cannot open ${this.opts.path}: ${err.message}`, { path: this.opts.path }))
          : resolve(),
      ),
    );
    port.on('error', (err) => this.opts.logger?.(`serial ${this.opts.path}: ${err.message}`));
    this.port = port;
    this.detach = this.opts.link.attach(port);
    this.opts.logger?.(`serving RTU on ${this.opts.path}`);
  }

  async stop(): Promise<void> {
    this.detach?.();
    this.detach = null;
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

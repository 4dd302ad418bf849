/**
 * ByteStream over `serialport`: the controller's RS-232/RS-485 monitoring or printer port.
 * The only frames file that imports serialport.
 */
import { SerialPort } from 'serialport';
import type { FramesBusConfig } from '../../config/types.js';
import { FieldError } from '../errors.js';
import type { ByteStream } from '../../ports/byte-stream.js';

export class SerialByteStream implements ByteStream {
  private port: SerialPort | null = null;
  private dataListener: ((chunk: Buffer) => void) | null = null;
  private closeListeners: Array<() => void> = [];

  constructor(private readonly bus: FramesBusConfig) {}

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  async open(): Promise<void> {
    await this.close();
    const b = this.bus;
    const port = new SerialPort({
      path: b.port,
      baudRate: b.baudRate,
      parity: b.parity,
      dataBits: b.dataBits,
      stopBits: b.stopBits,
      autoOpen: false,
    });
    // An 'error' event without a listener would crash the process (adapter unplugged).
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err ? reject(new FieldError(`cannot open ${b.port}: ${err.message}`, 'LINK_DOWN', { bus: b.id })) : resolve(),
      ),
    );
    port.on('data', (chunk: Buffer) => this.dataListener?.(chunk));
    port.on('close', () => {
      if (this.port !== port) return;
      this.port = null;
      for (const l of this.closeListeners) l();
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port || !port.isOpen) throw new FieldError(`port ${this.bus.port} is not open`, 'LINK_DOWN', { bus: this.bus.id });
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(data), (err) => {
        if (err) reject(new FieldError(`write to ${this.bus.port} failed: ${err.message}`, 'LINK_DOWN', { bus: this.bus.id }));
        else port.drain(() => resolve());
      });
    });
  }
}

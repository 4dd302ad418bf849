/**
 * The port the frames reader talks through: a duplex byte stream (zwave-js's serial binding:
 * a sink and a source). Implementations: `SerialByteStream` (a real port or one end of a pty
 * pair) and in-memory fakes in tests.
 */
export interface ByteStream {
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  /** Every chunk received, in order. One listener; set before open(). */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called when the port closes underneath us (adapter unplugged). */
  onClose(listener: () => void): void;
}

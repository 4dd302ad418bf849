import type { ModbusTable } from '../protocol/modbus/tables.js';

export interface ReadRequestLike {
  table: ModbusTable;
  address: number;
  count: number;
}

/**
 * The port every Modbus transport implements: one request at a time (the caller serializes),
 * each with its own timeout. Implementations: `ModbusSerialLink` (RTU, TCP, RTU over TCP)
 * and in-memory fakes in tests.
 */
export interface ModbusLink {
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  read(unitId: number, req: ReadRequestLike, timeoutMs: number): Promise<number[] | boolean[]>;
  /** Called when the transport closes underneath us (socket reset, adapter unplugged). */
  onClose(listener: () => void): void;
}

/**
 * ModbusLink over the `modbus-serial` package: Modbus RTU on a serial port, Modbus TCP, and
 * RTU framing over TCP (a serial-to-Ethernet converter in transparent mode).
 */
import ModbusSerial from 'modbus-serial';
import type { BusConfig } from '../config/types.js';
import { classify, FieldError } from './errors.js';
import type { ModbusLink, ReadRequestLike } from '../ports/modbus-link.js';

// modbus-serial is CommonJS; under NodeNext its class is the `default` of the module object.
const ModbusRTU = ModbusSerial.default;
type ModbusClient = InstanceType<typeof ModbusRTU>;

export class ModbusSerialLink implements ModbusLink {
  private client: ModbusClient | null = null;
  private closeListeners: Array<() => void> = [];

  constructor(private readonly bus: BusConfig) {}

  get isOpen(): boolean {
    return this.client?.isOpen ?? false;
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  async open(): Promise<void> {
    await this.close();
    const client = new ModbusRTU();
    // An 'error' event without a listener would crash the process (adapter unplugged).
    client.on('error', () => undefined);
    client.on('close', () => {
      if (this.client !== client) return;
      for (const l of this.closeListeners) l();
    });
    const b = this.bus;
    try {
      if (b.type === 'modbus-rtu') {
        await client.connectRTUBuffered(b.port, {
          baudRate: b.baudRate,
          parity: b.parity,
          dataBits: b.dataBits,
          stopBits: b.stopBits,
        });
      } else if (b.type === 'modbus-tcp') {
        await client.connectTCP(b.host, { port: b.port, timeout: b.timeoutMs });
      } else {
        // Raw RTU frames (with CRC) over a TCP stream, as a transparent serial-to-Ethernet
        // converter passes them. modbus-serial calls this port "telnet"; its
        // connectTcpRTUBuffered sends MBAP frames instead.
        await client.connectTelnet(b.host, { port: b.port, timeout: b.timeoutMs });
      }
    } catch (err) {
      safeClose(client);
      const e = classify(err, b.id);
      throw new FieldError(`cannot open bus ${b.id} (${describe(b)}): ${e.message}`, 'LINK_DOWN', { bus: b.id });
    }
    this.client = client;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await new Promise<void>((resolve) => safeClose(c, resolve));
  }

  async read(unitId: number, req: ReadRequestLike, timeoutMs: number): Promise<number[] | boolean[]> {
    const c = this.client;
    if (!c || !c.isOpen) throw new FieldError(`bus ${this.bus.id} is not open`, 'LINK_DOWN', { bus: this.bus.id, unitId });
    flushStaleInput(c);
    c.setID(unitId);
    c.setTimeout(timeoutMs);
    try {
      switch (req.table) {
        case 'coil':
          return (await c.readCoils(req.address, req.count)).data.slice(0, req.count);
        case 'discrete':
          return (await c.readDiscreteInputs(req.address, req.count)).data.slice(0, req.count);
        case 'holding':
          return (await c.readHoldingRegisters(req.address, req.count)).data;
        case 'input':
          return (await c.readInputRegisters(req.address, req.count)).data;
      }
    } catch (err) {
      throw classify(err, this.bus.id, unitId);
    }
  }
}

/**
 * Found by the field fuzz test: modbus-serial's RTU-over-TCP port keeps every byte it could not match
 * in its receive buffer, unbounded, and scans it at the next request, so the leftovers of one
 * garbled or late answer corrupt the next transactions (test/fuzz-modbus.test.ts: 15 of 50 good
 * answers failed after a storm). Modbus RTU is strictly request/response: anything received
 * before a request is stale, so it is dropped, as an RTU master flushes its receive FIFO.
 * The buffer is the port's private field (modbus-serial 8 ports/telnetport.js, rtubufferedport.js);
 * no public call empties it, so modbus-serial is pinned to the exact version this was checked
 * against (package.json), and the fuzz test fails if an upgrade moves the field.
 */
function flushStaleInput(c: ModbusClient): void {
  const port = (c as unknown as { _port?: { _buffer?: unknown } })._port;
  if (port && Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
}

function safeClose(c: ModbusClient, done?: () => void): void {
  try {
    if (c.isOpen) c.close(() => done?.());
    else done?.();
  } catch {
    done?.();
  }
}

export function describe(b: BusConfig): string {
  if (b.type === 'modbus-rtu') {
    const p = b.parity === 'none' ? 'N' : b.parity === 'even' ? 'E' : 'O';
    return `${b.port} ${b.baudRate} ${b.dataBits}${p}${b.stopBits}`;
  }
  return `${b.type === 'modbus-tcp' ? 'Modbus TCP' : 'RTU over TCP'} ${b.host}:${b.port}`;
}

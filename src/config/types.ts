/**
 * The validated, defaults-applied configuration. `config/schema.json` is the source of truth
 * for names, defaults and documentation; these types mirror it.
 */
import type { AlarmCode } from '../core/types.js';
import type { SignalName } from '../core/signals.js';

export type Parity = 'none' | 'even' | 'odd';

export interface SerialBusConfig {
  id: string;
  type: 'modbus-rtu';
  port: string;
  baudRate: number; // default 19200
  parity: Parity; // default 'none'
  dataBits: 7 | 8; // default 8
  stopBits: 1 | 2; // default 1
  timeoutMs: number; // default 500
  retries: number; // default 1
  interFrameGapMs: number; // default 5
}

export interface TcpBusConfig {
  id: string;
  type: 'modbus-tcp' | 'modbus-rtu-over-tcp';
  host: string;
  port: number; // default 502
  timeoutMs: number;
  retries: number;
  interFrameGapMs: number;
}

export type BusConfig = SerialBusConfig | TcpBusConfig;

export type ModbusTable = 'coil' | 'discrete' | 'holding' | 'input';

/** Where one canonical signal is read from (in a profile, or as a per-lift override). */
export interface SignalSource {
  table: ModbusTable;
  address: number;
  /** For holding/input registers: read one bit (0 = least significant) as a boolean. */
  bit?: number;
  /** Register type for numeric signals; default uint16. 32-bit types span two registers. */
  type?: 'uint16' | 'int16' | 'uint32' | 'int32';
  wordOrder?: 'big' | 'little';
  scale?: number; // value * scale + offset
  offset?: number;
  /** Maps a raw register value onto a value of the signal (e.g. direction 1 -> 'up'). */
  enum?: Record<string, string | number | boolean>;
  invert?: boolean;
}

/** A per-lift wiring entry for an I/O-module profile: which input carries the signal. */
export interface InputWiring {
  input: number; // 0-based input number on the module
  invert?: boolean;
}

export interface LiftConfig {
  id: string;
  label: string;
  bus: string;
  unitId: number; // 1..247
  profile: string; // profile id (file devices/<id>.yaml or a path)
  landings: string[]; // ordered, bottom to top; floor signal indexes into it
  pollIntervalMs: number; // default 500
  signals: Partial<Record<SignalName, SignalSource | InputWiring>>;
}

export interface TlsConfig {
  ca?: string; // file paths
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean; // default true
}

export interface UplinkConfig {
  url: string; // mqtt://host:1883 or mqtts://host:8883
  clientId?: string; // default liftwatch-<gatewayId>
  username?: string;
  passwordFile?: string;
  tls?: TlsConfig;
  protocolVersion: 4 | 5; // default 4
  topicPrefix: string; // default 'liftwatch'
  keepaliveSec: number; // default 30
  reconnectMinMs: number; // default 1000
  reconnectMaxMs: number; // default 60000
  inflight: number; // default 100: QoS 1 publishes awaiting PUBACK at once
}

export interface BrokerConfig {
  enabled: boolean; // default false
  host: string; // default 127.0.0.1
  port: number; // default 1883
}

export interface StorageConfig {
  path: string; // default /var/lib/liftwatch/liftwatch.db
  maxBytes: number; // default 256 MiB
  maxAgeDays: number; // default 90
}

/** Per-code tuning; any field left out keeps the taxonomy default. */
export interface RuleTuning {
  enabled?: boolean;
  confirmMs?: number;
  clearMs?: number;
}

export interface Config {
  /** Absolute path of the file this config was read from (for messages). */
  file: string;
  site: { id: string; name: string; address?: string };
  gateway: { id: string };
  buses: BusConfig[];
  lifts: LiftConfig[];
  uplink: UplinkConfig;
  broker: BrokerConfig;
  storage: StorageConfig;
  /** Site-wide rule tuning by code. Per-lift tuning is a later addition. */
  rules: Partial<Record<AlarmCode, RuleTuning>>;
}

/** A device profile (devices/*.yaml): data, not code. */
export interface DeviceProfile {
  /** Absolute path of the file it came from. */
  file: string;
  id: string;
  title: string;
  kind: 'controller' | 'io-module';
  /** True for maps that must be adapted to a vendor's documentation before use. */
  template: boolean;
  description?: string;
  /** For io-modules: the block of inputs, read in one request. */
  inputs?: { table: ModbusTable; address: number; count: number };
  /** Signals mapped by the profile itself (controller profiles). */
  signals: Partial<Record<SignalName, SignalSource>>;
}

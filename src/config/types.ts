/**
 * The validated, defaults-applied configuration. `config/schema.json` is the source of truth
 * for names, defaults and documentation; these types mirror it.
 */
import type { AlarmCode } from '../core/types.js';
import type { SignalName } from '../core/signals.js';
import type { FramesSpec } from '../protocol/frames/spec.js';
import type { ModbusTable } from '../protocol/modbus/tables.js';

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
  interFrameGapMs: number; // default 0 for modbus-tcp, 5 for modbus-rtu-over-tcp (load.ts)
}

export type BusConfig = SerialBusConfig | TcpBusConfig;

/** A serial port carrying plain status frames; a frames profile describes them. */
export interface FramesBusConfig {
  id: string;
  type: 'serial-frames';
  port: string;
  baudRate: number; // default 9600
  parity: Parity; // default 'none'
  dataBits: 7 | 8; // default 8
  stopBits: 1 | 2; // default 1
  timeoutMs: number; // default 500: answer to an enquiry
  silenceTimeoutMs: number; // default 3000: unprompted controllers
  interFrameGapMs: number; // default 5
  maxBufferBytes: number; // default 4096
}

/** Every bus kind a config may hold; Modbus code takes `BusConfig`. */
export type AnyBusConfig = BusConfig | FramesBusConfig;

export type { ModbusTable } from '../protocol/modbus/tables.js';

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
  /** This lift's rule tuning, over the site's `rules` field by field (docs/alarms.md). */
  rules?: Partial<Record<AlarmCode, RuleTuning>>;
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
  /** Ignored (config/schema.json): the health message follows `schedule.health` alone. */
  /** Default 200 (schema): backlog events per second after a reconnect; 0 = unpaced. */
  backlogRatePerSec?: number;
}

export interface BrokerConfig {
  enabled: boolean; // default false
  host: string; // default 127.0.0.1
  port: number; // default 1883
  /** Required (with passwordFile) when host is not loopback: clients must authenticate. */
  username?: string;
  passwordFile?: string;
}

export interface StorageConfig {
  path: string; // default /var/lib/liftwatch/liftwatch.db
  maxBytes: number; // default 256 MiB: database + WAL; undelivered events are evicted beyond it (docs/storage.md)
  maxAgeDays: number; // default 90: retention of delivered events
}

/** The local diagnostics socket (docs/technician.md). */
export interface DiagnosticsConfig {
  enabled: boolean; // default true
  socket: string; // default /run/liftwatch/liftwatch.sock, mode 0660
  readOnlySocket?: string | false; // default: socket with -ro before .sock, mode 0666
  group: string | false; // default liftwatch; false = leave the service user's group
}

/** Per-code tuning; any field left out keeps the taxonomy default. */
export interface RuleTuning {
  enabled?: boolean;
  confirmMs?: number;
  clearMs?: number;
  /** PASSENGER_TRAPPED: a filtered press held this long raises anyway (EN 81-28 filter bypass; default 30000). */
  bypassMs?: number;
  /** Counting rules (docs/alarms.md): occurrences within `windowMs` (REPEATED_FAULT, SIGNAL_CHATTERING, DOOR_CLOSE_FAULT, LEVELLING_FAULT). */
  count?: number;
  /** Counting window; for ALARM_DEVICE_FAULT the longest gap between test calls (default 3 days, 0 = off). */
  windowMs?: number;
}

export interface Config {
  /** The config format version (config/migrate.ts): always the current one after loading. */
  version: number;
  /** Absolute path of the file this config was read from (for messages). */
  file: string;
  site: { id: string; name: string; address?: string };
  gateway: { id: string };
  buses: AnyBusConfig[];
  lifts: LiftConfig[];
  uplink: UplinkConfig;
  broker: BrokerConfig;
  storage: StorageConfig;
  /** The local diagnostics socket (docs/technician.md). */
  diagnostics: DiagnosticsConfig;
  /** Site-wide rule tuning by code; a lift's own `rules` override it. */
  rules: Partial<Record<AlarmCode, RuleTuning>>;
  /** Site-wide per-signal debounce holds; absent signals have no hold. */
  debounce?: Partial<Record<SignalName, { riseMs?: number; fallMs?: number }>>;
  /** Periodic jobs (config/schema.json `schedule`); defaults applied by the schema. */
  schedule?: ScheduleConfig;
  /** Log levels (config/schema.json `logging`). */
  logging?: LoggingConfig;
}

/** One scheduled job (docs/operations.md). */
export interface JobConfig {
  enabled: boolean; // default true
  cron: string; // node-schedule cron, 5 fields or 6 with seconds
}

export interface ScheduleConfig {
  health: JobConfig; // default every minute: the retained <root>/health message (the one setting for it)
  selfTest: JobConfig; // default daily 03:00; EN 81-28: never more than 3 days apart
  usage: JobConfig; // default daily 23:55
  maintenance: JobConfig; // default daily 02:30
  integrity: JobConfig; // default daily 02:45
}

export interface LoggingConfig {
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent'; // default info
  levels: Record<string, 'debug' | 'info' | 'warn' | 'error' | 'silent'>;
}

/** A device profile (devices/*.yaml): data, not code. */
export interface DeviceProfile {
  /** Absolute path of the file it came from. */
  file: string;
  id: string;
  title: string;
  kind: 'controller' | 'io-module' | 'frames';
  /** True for maps that must be adapted to a vendor's documentation before use. */
  template: boolean;
  description?: string;
  /** For io-modules: the block of inputs, read in one request. */
  inputs?: { table: ModbusTable; address: number; count: number };
  /** Signals mapped by the profile itself (controller profiles). */
  signals: Partial<Record<SignalName, SignalSource>>;
  /** For frames profiles: how the controller's ASCII lines or binary frames are built. */
  frames?: FramesSpec;
  /** Controller fault code (decimal, as text) -> taxonomy code; unmapped codes are DRIVE_FAULT. */
  faultCodes?: Record<string, FaultCodeEntry>;
}

export interface FaultCodeEntry {
  code: AlarmCode;
  /** The controller manual's text for the code. */
  text?: string;
}

export type {
  AsciiFramesSpec,
  BinaryFramesSpec,
  FieldConversion,
  FramesSpec,
} from '../protocol/frames/spec.js';


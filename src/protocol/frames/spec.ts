/**
 * The frames part of a device profile (devices/schema.json `frames`, docs/profiles.md): how a
 * controller's ASCII lines or binary frames are built. Kept with the codecs that read them; the
 * config layer re-exports these types for the profile loader.
 */
import type { SignalName } from '../../core/signals.js';

/** Frames profiles (devices/schema.json `frames`), see docs/profiles.md. */
export type FramesSpec = AsciiFramesSpec | BinaryFramesSpec;

/** How a text field or a byte field becomes a signal value. */
export interface FieldConversion {
  /** Numbers: parse radix for text (default 10). */
  radix?: 10 | 16;
  /** Booleans: true when (raw & mask) != 0; numbers: (raw & mask) shifted down to bit 0. */
  mask?: number;
  enum?: Record<string, string | number | boolean>;
  invert?: boolean;
  scale?: number;
  offset?: number;
}

export interface AsciiField extends FieldConversion {
  /** Named group of the message's pattern; default the signal's name. */
  group?: string;
}

export interface BinaryField extends FieldConversion {
  /** 0-based byte position in the frame (the first start byte is 0). */
  byte: number;
  size?: 1 | 2 | 4; // default 1
  endian?: 'big' | 'little'; // default big
  signed?: boolean;
}

export interface AsciiMessage {
  name: string;
  /** ECMAScript regular expression matched against one line (without its terminator). */
  pattern: string;
  signals?: Partial<Record<SignalName, AsciiField>>;
  /** Constant values this message sets (e.g. a "fault cleared" line sets faultCode 0). */
  set?: Partial<Record<SignalName, string | number | boolean>>;
}

export interface BinaryMessage {
  name: string;
  /** The frame is this message when every listed byte has the value (e.g. a type byte). */
  match?: Array<{ byte: number; value: number }>;
  signals?: Partial<Record<SignalName, BinaryField>>;
  set?: Partial<Record<SignalName, string | number | boolean>>;
}

export type ChecksumKind = 'sum8' | 'xor8' | 'crc16-modbus';

export interface AsciiFramesSpec {
  format: 'ascii';
  /** Line terminator; default "\n" (a trailing "\r" is stripped). */
  terminator?: string;
  /** Longer lines are counted as overlong and skipped; default 256. */
  maxLineLength?: number;
  /** Sent every poll interval; `{unit}` is replaced by the lift's unitId. None: the controller talks unprompted. */
  enquiry?: string;
  /** Named group holding the unit address, for several lifts on one line. */
  unitGroup?: string;
  messages: AsciiMessage[];
}

export interface BinaryFramesSpec {
  format: 'binary';
  /** Start byte(s) as hex, e.g. "02" or "AA 55". */
  start: string;
  /** Either a fixed frame length or a length field. */
  fixedLength?: number;
  /** Total length = field value + adjust. */
  length?: { byte: number; size?: 1 | 2; endian?: 'big' | 'little'; adjust?: number };
  /** Checksum in the last bytes before `end`, over bytes [from, checksum). */
  checksum?: { type: ChecksumKind; from?: number; endian?: 'big' | 'little' };
  /** End byte(s) as hex, e.g. "03". */
  end?: string;
  /** Default 256. */
  maxFrameLength?: number;
  /** Enquiry as hex; `{unit}` stands for the lift's unitId byte; checksum and end appended when `enquiryChecksum`. */
  enquiry?: string;
  enquiryChecksum?: boolean;
  /** Byte holding the unit address, for several lifts on one line. */
  unitByte?: number;
  messages: BinaryMessage[];
}

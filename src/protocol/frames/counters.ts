/**
 * What a noisy line did to the frames reader: partial frames, garbage, bad checksums and
 * overlong lines are counted and skipped, never fatal. Neuron-style counters, shown with
 * the bus statistics.
 */
export interface FrameCounters {
  /** Bytes received. */
  bytesIn: number;
  /** Frames or lines that passed framing (start, length, checksum, end, line length). */
  frames: number;
  /** Bytes skipped while looking for the next start byte or terminator. */
  discardedBytes: number;
  /** Binary frames whose checksum did not match. */
  badChecksum: number;
  /** Binary frames with an impossible length field, or a wrong end byte. */
  badFrame: number;
  /** Lines (or pending frames) longer than the cap. */
  overlong: number;
  /** Incomplete frames or lines dropped after the line went quiet. */
  partialDropped: number;
  /** Framed correctly but matching no message of the profile. */
  unmatched: number;
  /** A message for a unit address no lift on this bus has. */
  unknownUnit: number;
  /** Messages that matched and set signals. */
  decoded: number;
}

export function newFrameCounters(): FrameCounters {
  return {
    bytesIn: 0,
    frames: 0,
    discardedBytes: 0,
    badChecksum: 0,
    badFrame: 0,
    overlong: 0,
    partialDropped: 0,
    unmatched: 0,
    unknownUnit: 0,
    decoded: 0,
  };
}

/** Splits a byte stream into frames; every byte in is either in a frame, pending or counted. */
export interface Framer {
  readonly counters: FrameCounters;
  /** Bytes held while waiting for the rest of a frame (bounded by the cap). */
  readonly pending: number;
  push(chunk: Uint8Array): Buffer[];
  /** The line went quiet: an incomplete frame will not complete. Drops it and rescans. */
  expire(): Buffer[];
}

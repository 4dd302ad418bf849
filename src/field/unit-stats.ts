import type { FieldErrorCode } from './errors.js';

/** Per-unit counters, Neuron-style: what a technician needs to judge a link. */
export interface UnitStats {
  liftId: string;
  unitId: number;
  polls: number;
  ok: number;
  errors: Record<FieldErrorCode, number>;
  consecutiveFailures: number;
  lastRttMs: number | null;
  lastOkAt: number | null; // wall ms
  lastError: string | null;
}

export function newUnitStats(liftId: string, unitId: number): UnitStats {
  return {
    liftId,
    unitId,
    polls: 0,
    ok: 0,
    errors: { TIMEOUT: 0, CRC: 0, EXCEPTION: 0, BAD_FRAME: 0, LINK_DOWN: 0, OTHER: 0 },
    consecutiveFailures: 0,
    lastRttMs: null,
    lastOkAt: null,
    lastError: null,
  };
}

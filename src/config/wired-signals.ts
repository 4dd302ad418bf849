/**
 * Which canonical signals a configured lift actually delivers, and so which alarm codes it can
 * detect (src/core/coverage.ts). Read from the loaded config and profile, as the field adapters
 * resolve them (src/config/resolve-sources.ts, src/protocol/frames/protocol.ts).
 */
import type { DeviceProfile, LiftConfig } from './types.js';
import { SIGNAL_NAMES, isSignalName, type SignalName } from '../core/signals.js';
import { coverageOf, detectCount, type CodeCoverage } from '../core/coverage.js';
import { RULE_DEFAULTS } from '../core/defaults.js';
import { namedGroups } from '../protocol/frames/protocol.js';

/**
 * The signals a lift delivers:
 * - controller profile: every signal the profile maps, plus the lift's own full sources;
 * - io-module profile (generic-di-16): what the lift's `signals` wire to an input (plus any
 *   the profile itself maps);
 * - frames profile: every signal a message's fields, named groups (ASCII) or constants set.
 */
export function wiredSignals(lift: LiftConfig, profile: DeviceProfile): Set<SignalName> {
  const names: string[] = [...Object.keys(profile.signals ?? {}), ...Object.keys(lift.signals ?? {})];
  const spec = profile.kind === 'frames' ? profile.frames : undefined;
  for (const m of spec?.messages ?? []) {
    names.push(...Object.keys(m.signals ?? {}), ...Object.keys(m.set ?? {}));
    // A named group called like a signal maps onto it without an entry (docs/profiles.md).
    if (spec?.format === 'ascii' && 'pattern' in m) names.push(...namedGroups(m.pattern));
  }
  return new Set(names.filter(isSignalName));
}

/** One lift's coverage, as `config check`, the start log and `status` show it. */
export interface LiftCoverage {
  liftId: string;
  profile: string;
  /** The wired signals, in canonical order. */
  wired: SignalName[];
  detects: number;
  of: number;
  /** Every code, most severe first (RULE_DEFAULTS). */
  codes: CodeCoverage[];
}

export function liftCoverage(lift: LiftConfig, profile: DeviceProfile): LiftCoverage {
  const wired = wiredSignals(lift, profile);
  const codes = coverageOf(wired, RULE_DEFAULTS);
  return { liftId: lift.id, profile: profile.id, wired: SIGNAL_NAMES.filter((s) => wired.has(s)), ...detectCount(codes), codes };
}

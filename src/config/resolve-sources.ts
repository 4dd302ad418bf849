/**
 * Where each signal of a lift is read: the profile's sources with the lift's wiring overrides
 * applied. A config concern (a wrong override is the installer's to fix, named by file and key),
 * used by the field layer when it plans its reads.
 */
import type { DeviceProfile, InputWiring, LiftConfig, SignalSource } from './types.js';
import { isSignalName, type SignalName } from '../core/signals.js';
import { ConfigError } from './errors.js';

/** The profile's sources with the lift's overrides applied; {input: n} becomes inputs.address + n. */
export function resolveSources(profile: DeviceProfile, lift: LiftConfig): Array<[SignalName, SignalSource]> {
  const merged = new Map<SignalName, SignalSource>(Object.entries(profile.signals) as Array<[SignalName, SignalSource]>);
  for (const [name, ov] of Object.entries<SignalSource | InputWiring>(lift.signals ?? {})) {
    const problem = (message: string): ConfigError =>
      new ConfigError('CONFIG_INVALID', [{ file: `lift ${lift.id}`, path: `signals.${name}`, message }]);
    if (!isSignalName(name)) throw problem(`unknown signal "${name}"`);
    if ((ov as InputWiring).input === undefined) {
      merged.set(name, ov as SignalSource);
      continue;
    }
    const { input, invert } = ov as InputWiring;
    if (profile.inputs === undefined) throw problem(`expected a full source, profile ${profile.id} has no inputs, got {input: ${input}}`);
    merged.set(name, { table: profile.inputs.table, address: profile.inputs.address + input, ...(invert ? { invert } : {}) });
  }
  return [...merged];
}

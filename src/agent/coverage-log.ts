/**
 * At start, one log line per lift: which alarm codes its wiring cannot detect and what to wire
 * for them (src/core/coverage.ts). A warning when a critical code (a trapped passenger, a car
 * stopped between floors) cannot be detected: the box would stay silent through it.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import { liftCoverage, type LiftCoverage } from '../config/wired-signals.js';
import { cannotDetectText } from '../core/coverage.js';
import type { Logger } from '../ports/logger.js';

export function logCoverage(config: Config, profiles: Map<string, DeviceProfile>, logger: Logger): void {
  for (const lift of config.lifts) {
    const profile = profiles.get(lift.profile);
    if (!profile) continue;
    let c: LiftCoverage;
    try {
      c = liftCoverage(lift, profile);
    } catch (err) {
      // A report, never a reason to stop the alarm path.
      logger.warn('could not work out the alarm coverage of the wiring', { lift: lift.id, error: String(err) });
      continue;
    }
    const critical = c.codes.filter((x) => !x.detectable && x.severity === 'critical').map((x) => x.code);
    const fields = {
      lift: lift.id,
      profile: profile.id,
      detects: `${c.detects} of ${c.of}`,
      cannotDetect: cannotDetectText(c.codes) || 'none',
      ...(critical.length ? { criticalUndetectable: critical } : {}),
    };
    if (critical.length) logger.warn('the wiring cannot detect every critical alarm of this lift', fields);
    else logger.info('alarm coverage of the wiring', fields);
  }
}

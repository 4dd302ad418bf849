/**
 * A lift's alarm coverage for people (`config check`, `status`): which codes its wiring cannot
 * detect and what to wire for them, most severe first (src/core/coverage.ts).
 */
import type { Config, DeviceProfile } from '../../config/types.js';
import { liftCoverage, type LiftCoverage } from '../../config/wired-signals.js';
import { cannotDetectText, coverageSummary } from '../../core/coverage.js';
import type { Paint } from './colour.js';

/** `config check`: one line per lift; a gap is a warning, never an error (exit code unchanged). */
export function configCoverageLines(config: Config, profiles: Map<string, DeviceProfile>): string {
  return config.lifts
    .map((lift) => {
      const profile = profiles.get(lift.profile);
      if (!profile) return `lift ${lift.id}: coverage unknown (profile ${lift.profile} not loaded)`;
      const c = liftCoverage(lift, profile);
      return `lift ${lift.id} (${profile.id}): ${c.detects < c.of ? 'warning: ' : ''}${coverageSummary(c.codes)}`;
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** `status`: "all 24 codes" or "17 of 24 codes; cannot detect: CODE (needs x), ..."; red when a critical code is undetectable. */
export function coverageCell(c: LiftCoverage, p: Paint): string {
  if (c.detects === c.of) return p.green(`all ${c.of} codes`);
  const text = `${c.detects} of ${c.of} codes; cannot detect: ${cannotDetectText(c.codes)}`;
  return c.codes.some((x) => !x.detectable && x.severity === 'critical') ? p.red(text) : p.yellow(text);
}

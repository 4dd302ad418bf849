/** Effective timing of a rule: the taxonomy default overlaid with the site's tuning. */
import type { AlarmCode, Severity } from '../types.js';
import { ALARM_FILTER_BYPASS_MS, RULE_DEFAULTS } from '../defaults.js';

/** Site tuning of one code. `bypassMs` only applies to PASSENGER_TRAPPED (alarm filter bypass). */
export interface RuleOverride {
  enabled?: boolean;
  confirmMs?: number;
  clearMs?: number;
  bypassMs?: number;
}

export interface Tuning {
  severity: Severity;
  enabled: boolean;
  confirmMs: number;
  clearMs: number;
  bypassMs: number;
}

export function tuningFor(rules: Partial<Record<AlarmCode, RuleOverride>>, code: AlarmCode): Tuning {
  const d = RULE_DEFAULTS[code];
  const o = rules[code] ?? {};
  return {
    severity: d.severity,
    enabled: o.enabled ?? d.enabled,
    confirmMs: o.confirmMs ?? d.confirmMs,
    clearMs: o.clearMs ?? d.clearMs,
    bypassMs: o.bypassMs ?? ALARM_FILTER_BYPASS_MS,
  };
}

/** Effective timing of a rule: the taxonomy default overlaid with the site's tuning. */
import type { AlarmCode, Severity } from '../types.js';
import { ALARM_FILTER_BYPASS_MS, RULE_COUNTS, RULE_DEFAULTS } from '../defaults.js';

/** Site tuning of one code. `bypassMs` only applies to PASSENGER_TRAPPED (alarm filter bypass). */
export interface RuleOverride {
  enabled?: boolean;
  confirmMs?: number;
  clearMs?: number;
  bypassMs?: number;
  /** Counting rules (RULE_COUNTS): occurrences within windowMs. */
  count?: number;
  windowMs?: number;
}

export interface Tuning {
  severity: Severity;
  enabled: boolean;
  confirmMs: number;
  clearMs: number;
  bypassMs: number;
  count: number;
  windowMs: number;
}

/** Site rules, overlaid field by field with the lift's own rules (`lifts[].rules`). */
export function tuningFor(
  rules: Partial<Record<AlarmCode, RuleOverride>>,
  code: AlarmCode,
  liftRules: Partial<Record<AlarmCode, RuleOverride>> = {},
): Tuning {
  const d = RULE_DEFAULTS[code];
  const c = RULE_COUNTS[code];
  const o = { ...rules[code], ...liftRules[code] };
  return {
    count: o.count ?? c?.count ?? 1,
    windowMs: o.windowMs ?? c?.windowMs ?? 0,
    severity: d.severity,
    enabled: o.enabled ?? d.enabled,
    confirmMs: o.confirmMs ?? d.confirmMs,
    clearMs: o.clearMs ?? d.clearMs,
    bypassMs: o.bypassMs ?? ALARM_FILTER_BYPASS_MS,
  };
}

/**
 * The self-clearing condition rules implemented so far, one entry per taxonomy row
 * (domain.md, "The normalized taxonomy"). Order here is the order events are emitted in
 * when several fire at the same instant.
 */
import type { ConditionRule } from './timed.js';
import { isStationary } from '../lift-state.js';

export const CONDITION_RULES: readonly ConditionRule[] = [
  {
    // domain.md STOPPED_BETWEEN_FLOORS; EN 627 "car stopped outside the unlocking zone";
    // EN 81-20 3.42 unlocking zone. Inspection travel stops anywhere by design.
    code: 'STOPPED_BETWEEN_FLOORS',
    text: 'car stationary outside the door zone, not in inspection',
    signals: ['moving', 'doorZone', 'inspection', 'floor', 'direction'],
    condition: (v) => isStationary(v) && v.values.doorZone === false && v.values.inspection !== true,
  },
  {
    // domain.md SAFETY_CHAIN_OPEN; EN 627 "safety circuit broken". Inspection work opens the chain.
    code: 'SAFETY_CHAIN_OPEN',
    text: 'safety chain open with the car at rest, not in inspection',
    signals: ['safetyChain', 'moving', 'inspection'],
    condition: (v) => v.values.safetyChain === false && isStationary(v) && v.values.inspection !== true,
  },
  {
    // domain.md MAINS_POWER_FAILURE; EN 627 "mains supply off".
    code: 'MAINS_POWER_FAILURE',
    text: 'mains supply absent',
    signals: ['mainsPower'],
    condition: (v) => v.values.mainsPower === false,
  },
];

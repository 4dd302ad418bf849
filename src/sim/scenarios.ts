/** The built-in scenarios behind `liftwatch simulate --scenario`. */
import { SimError } from './errors.js';
import type { Scenario } from './scenario.js';

export const SCENARIO_NAMES = ['demo', 'idle', 'trips'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * A 2-minute loop that makes alarms flow from the first seconds, between normal trips.
 * `a` plays "unit 1" (trapped passenger), `b` plays "unit 2" (power, chain, link).
 * With the agent's default confirm times (domain.md): MAINS_POWER_FAILURE ~7 s,
 * PASSENGER_TRAPPED ~18 s, STOPPED_BETWEEN_FLOORS ~45 s, SAFETY_CHAIN_OPEN ~35 s,
 * CONTROLLER_COMM_LOST ~80 s, DRIVE_FAULT (controller code 120) ~95 s.
 */
export function demoScenario(a = 1, b = 2): Scenario {
  return {
    name: 'demo',
    loopMs: 120_000,
    autoTrips: true,
    steps: [
      { at: 5_000, unit: b, action: 'inject', behaviour: { kind: 'mains-lost', durationMs: 8_000 } },
      { at: 10_000, unit: a, action: 'inject', behaviour: { kind: 'stuck-between-floors' } },
      { at: 15_000, unit: a, action: 'inject', behaviour: { kind: 'alarm-button', durationMs: 5_000 } },
      { at: 30_000, unit: b, action: 'inject', behaviour: { kind: 'safety-chain-open', durationMs: 15_000 } },
      // The technician frees the car and gives end of alarm on site (EN 81-28).
      { at: 60_000, unit: a, action: 'remove', kind: 'stuck-between-floors' },
      { at: 60_000, unit: a, action: 'inject', behaviour: { kind: 'end-of-alarm', durationMs: 1_000 } },
      { at: 70_000, unit: b, action: 'inject', behaviour: { kind: 'silent', durationMs: 20_000 } },
      // A controller fault code (HR3), classified through the profile's faultCodes table.
      { at: 95_000, unit: a, action: 'inject', behaviour: { kind: 'fault-code', code: 120, durationMs: 10_000 } },
    ],
  };
}

export function scenarioByName(name: string, units: readonly number[]): Scenario {
  switch (name) {
    case 'demo':
      return demoScenario(units[0] ?? 1, units[1] ?? units[0] ?? 2);
    case 'idle':
      return { name: 'idle', autoTrips: false, steps: [] };
    case 'trips':
      return { name: 'trips', autoTrips: true, steps: [] };
    default:
      throw new SimError('SIM_BAD_SCENARIO', `unknown scenario "${name}" (expected ${SCENARIO_NAMES.join(', ')})`, {
        scenario: name,
      });
  }
}

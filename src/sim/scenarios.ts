/** The built-in scenarios behind `liftwatch simulate --scenario`. */
import { SimError } from './errors.js';
import type { BehaviourSpec } from './behaviours.js';
import type { Scenario } from './scenario.js';

export const SCENARIO_NAMES = ['demo', 'idle', 'trips', 'masking'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * A 2-minute loop that makes alarms flow from the first seconds, between normal trips.
 * `a` plays "unit 1" (trapped passenger), `b` plays "unit 2" (power, chain, link).
 * With the agent's default confirm times (docs/taxonomy.md): MAINS_POWER_FAILURE ~7 s,
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

/**
 * The masking corpus in turn on every unit, between stretches of normal traffic: a 10-minute
 * loop of faults whose contact patterns a monitor could report as the wrong thing (a door
 * reopening against an obstruction is a door-closing fault, not a chattering limit; a loose
 * chain contact is a sensor problem, not a stopped lift).
 */
export function maskingScenario(units: readonly number[]): Scenario {
  const plan: Array<[number, BehaviourSpec]> = [
    [10_000, { kind: 'door-obstructed', durationMs: 60_000 }],
    [100_000, { kind: 'loose-contact', signal: 'safetyChain', durationMs: 60_000 }],
    [190_000, { kind: 'moving-dropout', durationMs: 90_000 }],
    [310_000, { kind: 'bad-door-limit', signal: 'doorClosedLimit', durationMs: 90_000 }],
    [430_000, { kind: 'door-stalled', durationMs: 45_000 }],
    [505_000, { kind: 'loose-contact', signal: 'doorZone', durationMs: 60_000 }],
  ];
  return {
    name: 'masking',
    loopMs: 600_000,
    autoTrips: true,
    steps: units.flatMap((unit) => plan.map(([at, behaviour]) => ({ at, unit, action: 'inject' as const, behaviour }))),
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
    case 'masking':
      return maskingScenario(units);
    default:
      throw new SimError('SIM_BAD_SCENARIO', `unknown scenario "${name}" (expected ${SCENARIO_NAMES.join(', ')})`, {
        scenario: name,
      });
  }
}

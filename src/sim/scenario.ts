/**
 * Scenarios: a timed script of behaviour changes, as data. A player turns elapsed simulated
 * time into the steps that fall due; the simulator applies them. No clock inside.
 */
import { behaviourProblem } from './behaviour-arg.js';
import { isBehaviourKind, type BehaviourKind, type BehaviourSpec } from './behaviours.js';
import { SimError } from './errors.js';

export type ScenarioStep =
  | { at: number; unit: number; action: 'inject'; behaviour: BehaviourSpec }
  | { at: number; unit: number; action: 'remove'; kind: BehaviourKind }
  | { at: number; unit: number; action: 'call'; landing: number };

export interface Scenario {
  name: string;
  /** Replay the script every `loopMs` of simulated time; omitted: play once. */
  loopMs?: number;
  /** Random trips between scripted steps (default true). */
  autoTrips?: boolean;
  steps: ScenarioStep[];
}

/** Checks a scenario (e.g. one read from a file); throws SIM_BAD_SCENARIO naming the step. */
export function validateScenario(s: Scenario): void {
  const bad = (i: number, what: string): never => {
    throw new SimError('SIM_BAD_SCENARIO', `scenario ${s.name}: steps[${i}]: ${what}`, { scenario: s.name, step: i });
  };
  if (s.loopMs !== undefined && !(s.loopMs > 0)) {
    throw new SimError('SIM_BAD_SCENARIO', `scenario ${s.name}: loopMs must be > 0`, { scenario: s.name });
  }
  s.steps.forEach((step, i) => {
    if (!Number.isFinite(step.at) || step.at < 0) bad(i, 'at must be a time >= 0 in ms');
    if (s.loopMs !== undefined && step.at >= s.loopMs) bad(i, `at must be < loopMs (${s.loopMs})`);
    if (!Number.isInteger(step.unit) || step.unit < 0 || step.unit > 255) bad(i, 'unit must be 0..255');
    if (step.action === 'inject') {
      const problem = step.behaviour ? behaviourProblem(step.behaviour) : 'missing';
      if (problem) bad(i, `behaviour${problem === 'missing' ? ' is missing' : `.${problem}`}`);
    }
    if (step.action === 'remove' && !isBehaviourKind(step.kind)) bad(i, 'kind must be a behaviour kind');
    if (step.action === 'call' && !(Number.isInteger(step.landing) && step.landing >= 0)) bad(i, 'landing must be >= 0');
    if (!['inject', 'remove', 'call'].includes(step.action)) bad(i, 'action must be inject, remove or call');
  });
}

export class ScenarioPlayer {
  readonly scenario: Scenario;
  private readonly steps: ScenarioStep[];
  /** Simulated ms since the start of the current loop. */
  private t = 0;
  private loops = 0;
  private finished = false;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.steps = [...scenario.steps].sort((a, b) => a.at - b.at);
  }

  /** Steps with `at` in [t, t + dtMs), in order, across loop wraps. */
  advance(dtMs: number): ScenarioStep[] {
    const out: ScenarioStep[] = [];
    let left = dtMs;
    while (left > 0 && !this.finished) {
      const loopMs = this.scenario.loopMs;
      const end = loopMs === undefined ? this.t + left : Math.min(loopMs, this.t + left);
      for (const s of this.steps) if (s.at >= this.t && s.at < end) out.push(s);
      // Guard against a step too small to move `t` in floating point: without progress this
      // loop would spin forever and starve the event loop.
      if (end <= this.t) break;
      left -= end - this.t;
      this.t = end;
      if (loopMs !== undefined && this.t >= loopMs) {
        this.t = 0;
        this.loops++;
      }
      if (loopMs === undefined && this.steps.every((s) => s.at < this.t)) this.finished = true;
    }
    return out;
  }

  position(): { loop: number; atMs: number } {
    return { loop: this.loops, atMs: this.t };
  }
}

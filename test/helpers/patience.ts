/**
 * How long a test waits for something that must happen. A deadline in a test is there to end
 * a hang, not to measure speed (speed is the benchmarks' job, `npm run bench`), so every
 * waiting helper stretches its deadline by this factor: a loaded CI machine (two cores, tap
 * running files in parallel) then fails only what is really stuck. LIFTWATCH_TEST_PATIENCE
 * sets the factor (default 3; 1 for the deadlines as written).
 */
const factor = Number(process.env['LIFTWATCH_TEST_PATIENCE'] ?? '3');
export const PATIENCE = Number.isFinite(factor) && factor >= 1 ? factor : 3;

/** A deadline in ms, stretched by PATIENCE. */
export function patient(ms: number): number {
  return Math.round(ms * PATIENCE);
}

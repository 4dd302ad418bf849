/**
 * Exit codes scripts can trust (docs/technician.md, docs/installer.md). 0–3 are shared with
 * `run` and `config check` (src/cli/load.ts).
 */
import type { Command } from 'commander';
import type { DiagnosticsErrorCode } from '../../diagnostics/protocol.js';

export const CODE = {
  OK: 0,
  FAILURE: 1, // the request failed for another reason
  USAGE: 2, // bad flags or arguments, unknown lift
  CONFIG: 3, // the configuration is not valid or not found
  NO_AGENT: 4, // the agent is not running (offline answers, where possible, are still printed)
  DENIED: 5, // permission refused (socket mode, or a state change on the read-only socket)
  TIMEOUT: 6, // not acknowledged in time (test-alarm: the broker's PUBACK)
  CHECK_FAILED: 7, // a check found a problem (commission step, profile lint, probe found no unit)
} as const;

export function codeFor(err: DiagnosticsErrorCode): number {
  switch (err) {
    case 'NO_AGENT':
      return CODE.NO_AGENT;
    case 'ACCESS_DENIED':
    case 'FORBIDDEN':
      return CODE.DENIED;
    case 'TIMEOUT':
      return CODE.TIMEOUT;
    case 'UNKNOWN_LIFT':
    case 'BAD_REQUEST':
      return CODE.USAGE;
    default:
      return CODE.FAILURE;
  }
}

/** Usage errors exit 2 (commander's default is 1, which scripts would take for a failure). */
export function usageExits(cmd: Command): Command {
  return cmd.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : CODE.USAGE));
}

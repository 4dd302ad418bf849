/** `<root>/lift/<id>/usage` (`liftwatch.usage/1`), retained: a lift's usage for one day (EN 627-style data logging). */
import type { Config, LiftConfig } from '../config/types.js';
import type { UsageRow } from '../store/usage-store.js';

export const USAGE_SCHEMA = 'liftwatch.usage/1';

export function usageTopic(root: string, liftId: string): string {
  return `${root}/lift/${liftId}/usage`;
}

export function usagePayload(row: UsageRow, config: Config, lift: LiftConfig, at: number): Record<string, unknown> {
  return {
    schema: USAGE_SCHEMA,
    site: { id: config.site.id, name: config.site.name },
    gatewayId: config.gateway.id,
    lift: { id: lift.id, label: lift.label },
    day: row.day,
    trips: row.trips,
    doorCycles: row.doorCycles,
    runningMs: row.runningMs,
    runningHours: Math.round((row.runningMs / 3_600_000) * 100) / 100,
    faults: row.faults,
    clockSynced: row.clockSynced,
    at: new Date(at).toISOString(),
  };
}

/**
 * What the facility side needs from the outside world, in one place. Adapters: SQLite
 * (sqlite-cases.ts) for one instance.
 */
import type { Case, StepOutcome } from './cases.js';
import type { EventMessage } from './contract.js';

export interface CaseStore {
  /**
   * Records one delivered event and returns its case as it now stands. Idempotent by `eventId`:
   * a redelivery changes nothing and reports `duplicate`. Committed before it returns.
   */
  applyEvent(e: EventMessage): { case: Case; outcome: StepOutcome };
  get(alarmId: string): Case | undefined;
  /** Every case, open ones first, newest first within each. */
  list(filter?: { status?: Case['status'] }): Case[];
  close(): void;
}

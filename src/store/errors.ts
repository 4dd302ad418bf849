/** Errors of the durable outbox, with a stable `code` to branch on (never the message). */
export type StoreErrorCode =
  | 'STORE_OPEN_FAILED' // the file is not a database, or its directory cannot be created/written
  | 'STORE_SCHEMA_TOO_NEW' // written by a newer liftwatch: refuse rather than corrupt it
  | 'STORE_CLOSED';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Errors of the embedded broker, with a stable `code`. */
export type BrokerErrorCode =
  | 'BROKER_CREDENTIALS_REQUIRED' // bound beyond loopback without username + password
  | 'BROKER_PASSWORD_FILE'; // the password file is unreadable or empty

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

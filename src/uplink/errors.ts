/** Errors of the MQTT uplink, with a stable `code`. */
export type UplinkErrorCode =
  | 'UPLINK_INVALID_TOPIC_ID' // an id would break the topic tree (contains / + # or is empty)
  | 'UPLINK_NOT_CONNECTED' // publish refused: no live connection (we never queue in memory)
  | 'UPLINK_PUBLISH_FAILED' // the client reported an error, or the connection closed before PUBACK
  | 'UPLINK_CREDENTIALS'; // password or TLS file unreadable

export class UplinkError extends Error {
  override readonly name = 'UplinkError';
  constructor(
    readonly code: UplinkErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

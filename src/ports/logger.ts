/** A namespaced logger. Adapters get one from the context; nothing logs through a global. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

/** Logger levels, lowest first; `silent` drops everything. */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

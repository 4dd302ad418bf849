import path from 'node:path';
import type { DiagnosticsConfig } from '../config/types.js';
import { readOnlyPath } from './protocol.js';

/** Socket paths of a config, relative ones taken from the working directory (like storage.path). */
export function socketPaths(d: DiagnosticsConfig | undefined): { socket: string; readOnly: string | null } {
  const socket = path.resolve(process.cwd(), d?.socket ?? '/run/liftwatch/liftwatch.sock');
  const ro = d?.readOnlySocket;
  return { socket, readOnly: ro === false ? null : ro ? path.resolve(process.cwd(), ro) : readOnlyPath(socket) };
}

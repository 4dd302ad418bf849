import { randomUUID } from 'node:crypto';
import type { IdSource } from '../core/types.js';

export const uuidIds: IdSource = { newId: () => randomUUID() };

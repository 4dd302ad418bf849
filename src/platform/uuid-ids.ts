import type { IdSource } from '../core/types.js';
import { newUuidV7 } from './uuid-v7.js';

/** alarmIds: time-ordered like the eventIds, so the store's `alarms` primary key grows at one end. */
export const uuidIds: IdSource = { newId: newUuidV7 };

/**
 * Where ids come from (alarm ids, event ids). The core defines the shape, since it takes ids as
 * an input; adapters get one injected: platform/uuid-ids.ts in the agent, sequential ids in tests.
 */
export type { IdSource } from '../core/types.js';

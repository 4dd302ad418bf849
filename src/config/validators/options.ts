/**
 * The ajv options every liftwatch file (config, device profile) is validated with, shared by
 * the run-time compiler (compileSchemaFile) and the build-time one (generate.ts) so a
 * pre-compiled validator behaves exactly like a freshly compiled one.
 */
import type { Options } from 'ajv';

export const FILE_SCHEMA_OPTIONS: Options = {
  useDefaults: true,
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  strictTypes: false,
};

/**
 * Compiles a JSON schema file at run time with the options every liftwatch file is validated
 * with. The loaders use the pre-compiled validators (index.ts) instead; this is their fallback
 * and the reference they are tested against.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { FILE_SCHEMA_OPTIONS } from './options.js';

export function compileSchemaFile(schemaFile: string): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  // ajv itself only on this path: the pre-compiled validators need none of it, so loading a
  // config does not load ajv.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv(FILE_SCHEMA_OPTIONS);
  return ajv.compile(schema);
}

/**
 * The pre-compiled validators of the config and device-profile files (generate.ts says why).
 * Each is a plain function: nothing is compiled at start-up, and nothing keeps an ajv instance.
 *
 * Safety net: each generated module records the SHA-256 of the schema text it was made from.
 * If the installed schema differs (changed without regenerating), the schema is compiled at
 * run time instead, as liftwatch first did: correct, only heavier. test/config-validators.test.ts
 * fails in that state, so it should never ship.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { compileSchemaFile, packageRoot } from '../load.js';
import { schemaSha256 as configSha, validate as configValidate } from './config-schema.generated.js';
import { schemaSha256 as deviceSha, validate as deviceValidate } from './device-schema.generated.js';

/** `generated` when `schemaFile` is the text it was generated from, else a freshly compiled validator. */
export function chooseValidator(generated: ValidateFunction, sha256: string, schemaFile: string): { validate: ValidateFunction; fresh: boolean } {
  const actual = createHash('sha256').update(fs.readFileSync(schemaFile, 'utf8')).digest('hex');
  return actual === sha256 ? { validate: generated, fresh: false } : { validate: compileSchemaFile(schemaFile), fresh: true };
}

let configV: ValidateFunction | null = null;
let deviceV: ValidateFunction | null = null;

/** Validator of config/schema.json (chosen once per process). */
export function configSchemaValidator(): ValidateFunction {
  configV ??= chooseValidator(configValidate as unknown as ValidateFunction, configSha as string, path.join(packageRoot(), 'config', 'schema.json')).validate;
  return configV;
}

/** Validator of devices/schema.json (chosen once per process). */
export function deviceSchemaValidator(): ValidateFunction {
  deviceV ??= chooseValidator(deviceValidate as unknown as ValidateFunction, deviceSha as string, path.join(packageRoot(), 'devices', 'schema.json')).validate;
  return deviceV;
}

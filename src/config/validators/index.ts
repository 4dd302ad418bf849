/**
 * The pre-compiled validators of the config and device-profile files (generate.ts says why).
 * Each is a plain function: nothing is compiled at start-up, and nothing keeps an ajv instance.
 *
 * Safety net: each generated module records the SHA-256 of the schema text it was made from.
 * If the installed schema differs (edited after the build), or the module is missing (the
 * sources compiled with tsc alone), the schema is compiled at run time instead: correct, only
 * heavier. test/config-validators.test.ts fails in either state, so neither should ship.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from '../../platform/package-root.js';
import { compileSchemaFile } from './compile.js';
import { GENERATED } from './files.js';

interface GeneratedModule {
  default: ValidateFunction;
  schemaSha256: string;
}

/** The generated validator module `name` from the build, or null when the build did not write it. */
function generatedModule(name: string): GeneratedModule | null {
  try {
    return createRequire(import.meta.url)(`./${name}`) as GeneratedModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}

/** `generated` when `schemaFile` is the text it was generated from, else a freshly compiled validator. */
export function chooseValidator(generated: GeneratedModule | null, schemaFile: string): { validate: ValidateFunction; fresh: boolean } {
  const actual = createHash('sha256').update(fs.readFileSync(schemaFile, 'utf8')).digest('hex');
  return generated !== null && actual === generated.schemaSha256
    ? { validate: generated.default, fresh: false }
    : { validate: compileSchemaFile(schemaFile), fresh: true };
}

const chosen = new Map<string, { validate: ValidateFunction; fresh: boolean }>();

/** The validator of one schema (chosen once per process), and whether it had to be compiled. */
export function schemaValidator(schema: (typeof GENERATED)[number]['schema']): { validate: ValidateFunction; fresh: boolean } {
  let c = chosen.get(schema);
  if (c === undefined) {
    const g = GENERATED.find((x) => x.schema === schema)!;
    c = chooseValidator(generatedModule(g.module), path.join(packageRoot(), g.schema));
    chosen.set(schema, c);
  }
  return c;
}

/** Validator of config/schema.json. */
export function configSchemaValidator(): ValidateFunction {
  return schemaValidator('config/schema.json').validate;
}

/** Validator of devices/schema.json. */
export function deviceSchemaValidator(): ValidateFunction {
  return schemaValidator('devices/schema.json').validate;
}

/**
 * Forgets the generated validators once the agent's files are checked. A running agent never
 * validates again, and the two modules are its largest scripts: about 0.7 MB of generated source
 * that V8 keeps for the life of the script, with its bytecode (heap snapshot of the same-job
 * benchmark). Dropped from the require cache and from `chosen`, they are garbage; a later load in
 * the same process (a test, a CLI command) requires them afresh.
 */
export function releaseValidators(): void {
  chosen.clear();
  const require = createRequire(import.meta.url);
  for (const g of GENERATED) {
    let id: string;
    try {
      id = require.resolve(`./${g.module}`);
    } catch {
      continue; // not built: nothing was loaded
    }
    // Required through a createRequire of its own (generatedModule), so no cached module lists it
    // among its children: out of the cache, nothing holds it.
    delete require.cache[id];
  }
}

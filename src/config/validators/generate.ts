/**
 * Pre-compiles a JSON schema to a standalone CommonJS module (https://ajv.js.org/standalone.html).
 *
 * Why (the footprint benchmark): compiling config/schema.json and devices/schema.json at start-up
 * generates ~480 kB of JavaScript and hands it to `new Function`; the parse, the code
 * generation and the garbage they leave raised the agent's RSS by 15-17 MB for good (V8 and
 * malloc keep the pages), although the validators themselves are dropped after the load.
 * Loading the same code pre-compiled costs ~2 MB (measured with `process.memoryUsage().rss`
 * around each variant, MALLOC_ARENA_MAX=2, --max-semi-space-size=1).
 *
 * The modules are written by the build (build.ts) into dist, never into git: ajv's output is
 * one ~355 kB line per schema, unreviewable in a diff. CommonJS because that is what ajv's
 * standalone code is (its run-time helpers are `require`d), so it loads as written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { FILE_SCHEMA_OPTIONS } from './options.js';

type StandaloneCode = (ajv: Ajv, fn: unknown) => string;
// ajv/dist/standalone is CommonJS: `module.exports = standaloneCode` with `.default` as well.
const standaloneCode: StandaloneCode =
  (standalone as unknown as { default?: StandaloneCode }).default ?? (standalone as unknown as StandaloneCode);

/** The module text for `schemaFile`; `source` names the schema in the header (a repo-relative path). */
export function validatorModuleSource(schemaFile: string, source: string): string {
  const text = fs.readFileSync(schemaFile, 'utf8');
  const schema = JSON.parse(text) as Record<string, unknown>;
  const ajv = new Ajv({ ...FILE_SCHEMA_OPTIONS, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(schema));
  return [
    `// GENERATED from ${source} by src/config/validators/generate.ts at build time: do not edit.`,
    code,
    `module.exports.schemaSha256 = '${schemaSha256(text)}';`,
    '',
  ].join('\n');
}

/** The hash a generated module records of its schema's text (index.ts compares it at run time). */
export function schemaSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

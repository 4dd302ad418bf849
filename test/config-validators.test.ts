/**
 * Footprint: the config and device-profile validators are pre-compiled by the build
 * (src/config/validators/build.ts, into dist). They must be what the schemas give, be the ones
 * the loaders use, and behave exactly like validators compiled at run time from the same files
 * with the same options.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '../src/config/load.js';
import { compileSchemaFile } from '../src/config/validators/compile.js';
import { GENERATED } from '../src/config/validators/files.js';
import { validatorModuleSource } from '../src/config/validators/generate.js';
import type { ValidateFunction } from 'ajv';
import { chooseValidator, configSchemaValidator, deviceSchemaValidator, releaseValidators, schemaValidator } from '../src/config/validators/index.js';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('../../', import.meta.url));
const yamlOf = (rel: string): unknown => parseYaml(fs.readFileSync(path.join(root, rel), 'utf8'), rel).data;

const built = fileURLToPath(new URL('../src/config/validators/', import.meta.url));

void t.test('the build wrote every validator from its schema, and the loaders use it', async (t) => {
  for (const g of GENERATED) {
    const file = path.join(built, g.module);
    t.ok(fs.existsSync(file), `${g.module} was written by npm run build`);
    const made = validatorModuleSource(path.join(root, g.schema), g.schema);
    t.equal(fs.readFileSync(file, 'utf8'), made, `${g.module} is what ${g.schema} gives`);
    t.equal(validatorModuleSource(path.join(root, g.schema), g.schema), made, `${g.schema}: generating twice gives the same bytes`);
    t.equal(schemaValidator(g.schema).fresh, false, `${g.schema}: the pre-compiled validator is used, nothing compiled at run time`);
  }
});

void t.test('a running agent keeps no validator: released, the generated modules leave the require cache, and a later load still validates', async (t) => {
  const require = createRequire(import.meta.url);
  const ids = GENERATED.map((g) => require.resolve(path.join(built, g.module)));
  const before = configSchemaValidator();
  deviceSchemaValidator();
  t.ok(ids.every((id) => require.cache[id] !== undefined), 'loaded: both modules in the require cache');
  releaseValidators();
  t.same(ids.filter((id) => require.cache[id] !== undefined), [], 'released: neither is held by the require cache');
  const again = configSchemaValidator();
  t.not(again, before, 'the next load requires the module afresh (the old function was not kept)');
  t.equal(again({}), false, 'and still validates: an empty config is refused');
  t.equal(schemaValidator('config/schema.json').fresh, false, 'from the built module, nothing compiled');
});

void t.test('no generated validator is kept in the sources', async (t) => {
  const generated = fs.readdirSync(path.join(root, 'src/config/validators')).filter((f) => f.includes('.generated.'));
  t.same(generated, [], 'src/config/validators holds no generated module');
});

const cases = {
  config: {
    pre: configSchemaValidator(),
    schema: 'config/schema.json',
    docs: [
      ...['example.yaml', 'demo.yaml', 'demo-frames.yaml'].map((f) => `config/${f}`),
      ...fs.readdirSync(path.join(root, 'test/fixtures/config')).filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/config/${f}`),
    ],
  },
  device: {
    pre: deviceSchemaValidator(),
    schema: 'devices/schema.json',
    docs: fs.readdirSync(path.join(root, 'devices')).filter((f) => f.endsWith('.yaml')).map((f) => `devices/${f}`),
  },
};

for (const [kind, c] of Object.entries(cases)) {
  void t.test(`the pre-compiled ${kind} validator agrees with a run-time compiled one`, async (t) => {
    const fresh = compileSchemaFile(path.join(root, c.schema));
    let invalid = 0;
    for (const doc of c.docs) {
      let a: unknown;
      let b: unknown;
      try {
        a = yamlOf(doc);
        b = yamlOf(doc);
      } catch {
        continue; // a fixture that is not even YAML
      }
      const okPre = c.pre(a);
      const okFresh = fresh(b);
      t.equal(okPre, okFresh, `${doc}: same verdict`);
      t.same(a, b, `${doc}: same defaults applied`);
      t.same(c.pre.errors ?? null, fresh.errors ?? null, `${doc}: same errors`);
      if (!okPre) invalid++;
    }
    // The wrong documents below must fail: an always-true stub would pass the checks above.
    const wrong = kind === 'config' ? { site: { id: 'bad id!' }, buses: 3 } : { kind: 'toaster', registers: 'x' };
    t.notOk(c.pre(structuredClone(wrong)), `${kind}: a wrong document is refused`);
    t.notOk(fresh(structuredClone(wrong)));
    t.same(c.pre.errors, fresh.errors, `${kind}: same errors for the wrong document`);
    if (kind === 'config') t.ok(invalid > 0, 'the invalid fixtures were compared too');
  });
}

void t.test('a schema changed after the build, or a build without the validators, is compiled at run time instead', async (t) => {
  const stub = (() => true) as unknown as ValidateFunction;
  const file = path.join(root, 'config/schema.json');
  const stale = chooseValidator({ default: stub, schemaSha256: 'not-the-hash' }, file);
  t.equal(stale.fresh, true, 'stale: compiled');
  t.notOk(stale.validate({ site: 3 }), 'the compiled one really validates');
  t.equal(configSchemaValidator() === stale.validate, false);
  const missing = chooseValidator(null, file);
  t.equal(missing.fresh, true, 'missing: compiled');
  t.notOk(missing.validate({ site: 3 }), 'the compiled one really validates');
});

/**
 * Footprint: the config and device-profile validators are pre-compiled
 * (src/config/validators). They must be up to date with the schemas and behave exactly like
 * validators compiled at run time from the same files with the same options.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSchemaFile, parseYaml } from '../src/config/load.js';
import { GENERATED } from '../src/config/validators/files.js';
import { validatorModuleSource } from '../src/config/validators/generate.js';
import type { ValidateFunction } from 'ajv';
import { chooseValidator, configSchemaValidator, deviceSchemaValidator } from '../src/config/validators/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const yamlOf = (rel: string): unknown => parseYaml(fs.readFileSync(path.join(root, rel), 'utf8'), rel).data;

void t.test('every generated validator matches its schema (regenerate: node dist/src/config/validators/regenerate.js)', async (t) => {
  for (const g of GENERATED) {
    const committed = fs.readFileSync(path.join(root, g.module), 'utf8');
    t.ok(committed === validatorModuleSource(path.join(root, g.schema), g.schema), `${g.module} is up to date with ${g.schema}`);
  }
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

void t.test('a schema changed without regenerating is compiled at run time instead', async (t) => {
  const stub = (() => true) as unknown as ValidateFunction;
  const file = path.join(root, 'config/schema.json');
  t.equal(chooseValidator(stub, 'not-the-hash', file).fresh, true, 'stale: compiled');
  const fresh = chooseValidator(stub, 'not-the-hash', file).validate;
  t.notOk(fresh({ site: 3 }), 'the compiled one really validates');
  t.equal(configSchemaValidator() === fresh, false);
});

/**
 * Rewrites the pre-compiled validators from the schemas (see generate.ts):
 *
 *   npx tsc -p . && node dist/src/config/validators/regenerate.js && npx tsc -p .
 *
 * test/config-validators.test.ts fails while a generated file is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../load.js';
import { GENERATED } from './files.js';
import { validatorModuleSource } from './generate.js';

const root = packageRoot();
for (const g of GENERATED) {
  const out = path.join(root, g.module);
  fs.writeFileSync(out, validatorModuleSource(path.join(root, g.schema), g.schema));
  process.stdout.write(`wrote ${g.module} from ${g.schema}\n`);
}

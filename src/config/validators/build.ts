/**
 * Writes the pre-compiled validators (generate.ts says why) next to this file in dist; run by
 * `npm run build` after tsc. The output depends only on the schemas and the installed ajv.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../platform/package-root.js';
import { GENERATED } from './files.js';
import { validatorModuleSource } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = packageRoot();
for (const g of GENERATED) {
  fs.writeFileSync(path.join(here, g.module), validatorModuleSource(path.join(root, g.schema), g.schema));
}

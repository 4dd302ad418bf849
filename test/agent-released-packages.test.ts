/**
 * What a running agent lets go once it has started: the YAML parser, the command-line parser
 * and the generated schema validators are needed to read the configuration and nothing after
 * (docs/performance.md, same job: each is kept for the life of the process by a static import).
 * The real `liftwatch run`, preloaded with a fixture that lists the require cache on SIGTERM.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rig } from './helpers/cli-agent.js';
import { parseYaml } from '../src/config/load.js';
import { releaseYamlLibrary } from '../src/config/yaml-library.js';
import { createRequire } from 'node:module';

const fixture = fileURLToPath(new URL('./fixtures/loaded-modules.js', import.meta.url));
const inPackage = (name: string) => (file: string) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`);

void t.test('a running agent holds neither yaml, commander nor the generated validators in its require cache', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  const listFile = path.join(r.dir, 'loaded.json');
  // One process: without the re-exec the fixture lists the agent's own cache, not its parent's.
  await r.startAgent({ nodeArgs: ['--import', fixture], env: { ...process.env, LIFTWATCH_REEXEC: '0', LOADED_MODULES_FILE: listFile } });
  t.equal(await r.stopAgent(), 0, 'the agent stopped cleanly');
  const loaded = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  t.ok(loaded.some(inPackage('better-sqlite3')), 'the list is the running agent\'s (it holds the store\'s driver)');
  t.same(loaded.filter(inPackage('yaml')), [], 'no yaml module');
  t.same(loaded.filter(inPackage('commander')), [], 'no commander module');
  t.same(loaded.filter((f) => f.endsWith('.generated.cjs')), [], 'no generated validator');
});

void t.test('the yaml package, released, leaves the require cache, and the next parse loads it again', async (t) => {
  const cache = createRequire(import.meta.url).cache;
  const held = () => Object.keys(cache).filter(inPackage('yaml'));
  t.same(parseYaml('a: 1\n', 'x.yaml').data, { a: 1 });
  t.ok(held().length > 0, 'loaded by the parse');
  releaseYamlLibrary();
  t.same(held(), [], 'released');
  t.same(parseYaml('b: [2]\n', 'x.yaml').data, { b: [2] }, 'parses again after the release');
  t.ok(held().length > 0, 'loaded afresh');
});

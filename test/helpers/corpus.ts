/**
 * Runs the bad-configuration corpus (../bad-config-cases.ts) through the real binary: for every
 * case `config check` and `run` exit as they must (3; `config check` 0 where the finding is only
 * a warning, such as a port in use now), the message names the file, the path inside it and
 * what was expected, and `run` left nothing behind: no file added, removed or changed under the
 * site's directory (no database, no socket), no port left bound.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import type { BadCase } from '../bad-config-cases.js';
import { baseConfig, portFree, siteDir, tree } from './bad-config.js';
import { cli } from './cli-agent.js';

/** Cases run three at a time: the machine has two cores and each case starts two processes. */
const PARALLEL = 3;

async function runCase(t: Test, c: BadCase): Promise<void> {
  const dir = siteDir('lw-corpus-');
  let teardown: (() => Promise<void>) | void = undefined;
  try {
    teardown = await c.setup?.(dir);
    const written = path.join(dir, 'liftwatch.yaml');
    if (c.text) fs.writeFileSync(written, c.text(dir));
    else {
      const config = baseConfig(dir);
      c.config?.(config, dir);
      fs.writeFileSync(written, stringify(config));
    }
    const configPath = c.configPath?.(dir) ?? written;
    const named = c.file?.(dir) ?? configPath;
    const before = tree(dir);
    const check = await cli(['config', 'check', configPath]);
    const run = await cli(['run', '--config', configPath], { timeoutMs: 20_000 });
    const expectedCheck = c.check ?? 3;
    t.equal(check.code, expectedCheck, `${c.name}: config check exits ${expectedCheck}\n${check.stdout}${check.stderr}`);
    t.equal(run.code, 3, `${c.name}: run exits 3\n${run.stderr.slice(0, 600)}`);
    const prefix = `${named}: ${c.key}: `;
    for (const [what, out] of [['config check', check.stdout + check.stderr], ['run', run.stderr]] as const) {
      const line = out.split('\n').find((l) => l.includes(prefix) && c.expect.test(l));
      t.ok(line, `${c.name}: ${what} names the file, the key and what was expected: ${prefix}${c.expect}\n${out.slice(0, 800)}`);
      if (line && c.line !== false) t.match(line, /\(line \d+\)$/, `${c.name}: ${what} gives the line`);
    }
    t.same(tree(dir), before, `${c.name}: run left nothing behind`);
    const brokerPort = /broker[\s\S]*?port: (\d+)/.exec(fs.existsSync(written) ? fs.readFileSync(written, 'utf8') : '')?.[1];
    if (brokerPort && !c.name.includes('in use') && Number(brokerPort) > 0 && Number(brokerPort) < 65536) {
      t.ok(await portFree(Number(brokerPort)), `${c.name}: port ${brokerPort} not left bound`);
    }
  } finally {
    if (teardown) await teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `cases` a few at a time within one test. */
export async function runCorpus(t: Test, cases: readonly BadCase[]): Promise<void> {
  const queue = [...cases];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) await runCase(t, c);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

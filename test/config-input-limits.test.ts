// Bounded input through the real binary, under the unit's memory settings: a 10 MB config once
// took the agent to 476 MB and, under NODE_OPTIONS=--max-old-space-size=192, to a V8
// heap-out-of-memory abort (a crash loop under systemd); a YAML alias bomb was refused without
// file or line; deep nesting overflowed the parser's stack; a binary file's bytes were echoed.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { baseConfig, siteDir, writeConfig } from './helpers/bad-config.js';
import { cli } from './helpers/cli-agent.js';
import { stringify } from 'yaml';

/** systemd/liftwatch.service's runtime settings. */
const UNIT_ENV = { NODE_OPTIONS: '--max-old-space-size=192 --max-semi-space-size=2', MALLOC_ARENA_MAX: '2' };

function validYaml(dir: string): string {
  return stringify(baseConfig(dir));
}

void t.test('oversized, deep, alias-bombed, binary and non-regular files: exit 3 with file and line, no crash', async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const base = validYaml(dir);
  const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const cases: Array<{ name: string; write: (f: string) => void; expect: RegExp; line?: number }> = [
    { name: '10 MB of YAML', write: (f) => fs.writeFileSync(f, base + `notes: "${'x'.repeat(10 * 1024 * 1024)}"\n`), expect: /\(top level\): expected a file of at most 1\.0 MiB, got 10\.0 MiB/ },
    { name: 'nesting 100,000 deep', write: (f) => fs.writeFileSync(f, base + `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`), expect: /expected YAML nested at most 32 levels deep/, line: base.split('\n').length },
    { name: 'compact sequences 100,000 deep', write: (f) => fs.writeFileSync(f, base + `x:\n  ${'- '.repeat(100_000)}y\n`), expect: /expected YAML nested at most 32 levels deep/, line: base.split('\n').length + 1 },
    { name: 'an alias bomb', write: (f) => fs.writeFileSync(f, base + lol.join('\n') + '\n'), expect: /expected at most 100,000 values with every alias expanded, got more/, line: base.split('\n').length + 4 },
    { name: 'a binary file', write: (f) => fs.writeFileSync(f, Buffer.concat([Buffer.from('site:\n  id: x\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x9b, 0x1b]), Buffer.from('[31mred')])), expect: /expected a YAML text file, got a file that is not a text file \(a NUL byte at column 1\)/, line: 3 },
    { name: 'a UTF-16 file', write: (f) => fs.writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base, 'utf16le')])), expect: /expected a UTF-8 text file, got a UTF-16 text file/ },
    { name: 'invalid UTF-8', write: (f) => fs.writeFileSync(f, Buffer.concat([Buffer.from(base), Buffer.from([0xc3, 0x28, 0x0a])])), expect: /not a text file \(not valid UTF-8\)/ },
  ];
  for (const c of cases) {
    const file = path.join(dir, 'lw.yaml');
    c.write(file);
    for (const args of [['config', 'check', file], ['run', '--config', file]]) {
      const r = await cli(args, { env: UNIT_ENV, timeoutMs: 20_000 });
      const what = `${c.name}: ${args[0]}`;
      t.equal(r.code, 3, `${what} exits 3, not a crash (${r.stderr.slice(0, 200)})`);
      t.match(r.stderr, `${file}: (top level): `, `${what} names the file`);
      t.match(r.stderr, c.expect, `${what} says what was expected`);
      if (c.line !== undefined) t.match(r.stderr, `(line ${c.line})`, `${what} gives the line`);
      t.notMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/, `${what}: no byte of the file echoed`);
      t.notOk(fs.existsSync(path.join(dir, 'var')), `${what}: nothing created`);
    }
  }
});

void t.test('a device, a named pipe or a directory as the config is described, never read', async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fifo = path.join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  for (const [file, kind] of [['/dev/zero', 'a character device'], [fifo, 'a named pipe'], [dir, 'a directory']] as const) {
    const r = await cli(['config', 'check', file], { env: UNIT_ENV, timeoutMs: 10_000 });
    t.equal(r.code, 3, `${kind}: exit 3`);
    t.match(r.stderr, `${file}: (top level): expected a config file (YAML text), got ${kind}`);
  }
});

void t.test('device profiles have the same bounds: named with the profile file', async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const profile = path.join(dir, 'big-profile.yaml');
  fs.writeFileSync(profile, `id: big\ntitle: "${'y'.repeat(2 * 1024 * 1024)}"\n`);
  const c = baseConfig(dir);
  c.lifts[0].profile = profile;
  const file = writeConfig(dir, c);
  for (const args of [['config', 'check', file], ['run', '--config', file]]) {
    const r = await cli(args, { env: UNIT_ENV, timeoutMs: 20_000 });
    t.equal(r.code, 3, `${args[0]}: exit 3`);
    t.match(r.stderr, `${profile}: (top level): expected a file of at most 1.0 MiB, got 2.0 MiB`);
  }
  fs.writeFileSync(profile, Buffer.from([0x69, 0x64, 0x3a, 0x00, 0x9f, 0x0a]));
  const bin = await cli(['config', 'check', file]);
  t.equal(bin.code, 3);
  t.match(bin.stderr, `${profile}: (top level): expected a YAML text file, got a file that is not a text file (a NUL byte at column 4) (line 1)`);
});

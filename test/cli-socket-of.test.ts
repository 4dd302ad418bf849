/**
 * The narrow reader of a configuration's diagnostics socket (src/cli/commands/socket-of.ts):
 * where it answers, it agrees with the YAML library; where the file is anything but the plain
 * form, it declines (null), so the commands load and validate the file instead of guessing.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { diagnosticsOf } from '../src/cli/commands/socket-of.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-socket-of-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(text: string): ReturnType<typeof diagnosticsOf> {
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, text);
  return diagnosticsOf(file);
}

void t.test('agrees with the YAML library on the plain form', async (t) => {
  const plain: Record<string, string> = {
    demo: fs.readFileSync(path.join(root, 'config/demo.yaml'), 'utf8'),
    example: fs.readFileSync(path.join(root, 'config/example.yaml'), 'utf8'),
    absent: 'site:\n  id: a\n',
    quoted: "diagnostics:\n  socket: '/run/it''s here.sock' # where\n  group: false\n",
    double: 'diagnostics:\n\n  socket: "/run/x.sock"\n  readOnlySocket: false\n  group: staff\n',
    deeper: 'diagnostics:\n    socket: /run/x.sock\nstorage:\n  path: /var/x.db\n',
  };
  for (const [name, text] of Object.entries(plain)) {
    const yaml = (parse(text) as { diagnostics?: Record<string, unknown> } | null)?.diagnostics ?? {};
    t.same(read(text), yaml, name);
  }
});

void t.test('declines everything else', async (t) => {
  const other: Record<string, string> = {
    flow: 'diagnostics: {socket: /a.sock}\n',
    alias: 'x: &a /a.sock\ndiagnostics:\n  socket: *a\n',
    tag: 'diagnostics:\n  socket: !!str /a.sock\n',
    twice: 'diagnostics:\n  socket: /a\n  socket: /b\n',
    nested: 'other:\n  diagnostics: 1\n',
    unknown: 'diagnostics:\n  sockets: /a\n',
    documents: 'a: 1\n---\ndiagnostics:\n  socket: /a\n',
    tabs: 'diagnostics:\n\tsocket: /a\n',
    escapes: 'diagnostics:\n  socket: "/a\\tb"\n',
    off: 'diagnostics:\n  enabled: false\n',
    yesno: 'diagnostics:\n  group: no\n',
    multiline: 'diagnostics:\n  socket: >\n    /a\n',
    uneven: 'diagnostics:\n  socket: /a\n   group: x\n',
  };
  for (const [name, text] of Object.entries(other)) t.equal(read(text), null, name);
  t.equal(diagnosticsOf(path.join(dir, 'missing.yaml')), null, 'a missing file');
});

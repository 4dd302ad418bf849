// What the service user may not do, found before anything starts: storage in a directory the
// agent's user cannot write once passed `config check`, then `run` bound the embedded broker,
// exited 1 and named neither the config file nor `storage.path` nor the cause. Now `run` as that
// user stops with exit 3 naming the key and EACCES, before binding or creating anything, and
// `config check` as that user warns (as another user, such as root, it cannot know).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { baseConfig, portFree, siteDir, tree, writeConfig } from './helpers/bad-config.js';
import { bin, cli } from './helpers/cli-agent.js';
import { freePort } from './helpers/e2e.js';
import { patient } from './helpers/patience.js';

function asNobody(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), patient(20_000));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const notRoot = process.getuid?.() === 0 ? false : 'needs root to run the CLI as another user';

void t.test('storage and a password file the service user cannot use: run exits 3 before binding anything; config check warns', { skip: notRoot }, async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'var'), { mode: 0o755 }); // root's: nobody cannot create the database
  fs.mkdirSync(path.join(dir, 'run'));
  fs.chmodSync(path.join(dir, 'run'), 0o777); // the socket could be made
  fs.writeFileSync(path.join(dir, 'pw'), 'secret\n', { mode: 0o600 }); // root's only
  const port = await freePort();
  const c = baseConfig(dir);
  c.broker = { enabled: true, host: '127.0.0.1', port };
  c.uplink = { ...c.uplink, url: `mqtt://127.0.0.1:${port}`, username: 'gw', passwordFile: path.join(dir, 'pw') };
  const file = writeConfig(dir, c);
  fs.chmodSync(file, 0o644);
  const before = tree(dir);

  const check = await asNobody(['config', 'check', file]);
  t.equal(check.code, 0, `config check as another user: warnings only\n${check.stderr}`);
  t.match(check.stdout, new RegExp(`warning: ${file}: storage\\.path: expected a directory this user can create the database in, got ${dir}/var: permission denied for this user, uid 65534 \\(EACCES\\); \`run\` as this user would stop here`));
  t.match(check.stdout, new RegExp(`warning: ${file}: uplink\\.passwordFile: expected a file this user can read with the password, got ${dir}/pw: permission denied`));

  const run = await asNobody(['run', '--config', file]);
  t.equal(run.code, 3, `run exits 3\n${run.stderr}`);
  t.match(run.stderr, new RegExp(`${file}: storage\\.path: expected a directory this user can create the database in, got ${dir}/var: permission denied for this user, uid 65534 \\(EACCES\\) \\(line \\d+\\)`));
  t.match(run.stderr, /uplink\.passwordFile: expected a file this user can read with the password, got .*pw: permission denied for this user, uid 65534 \(EACCES\)/);
  t.same(tree(dir), before, 'nothing created: no database, no socket');
  t.ok(await portFree(port), 'the broker port was never bound');
});

void t.test('config check as root names a password file the service user could not read (root reads it fine)', { skip: notRoot }, async (t) => {
  const dir = siteDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'pw'), 'secret\n', { mode: 0o600 }); // root's only
  const c = baseConfig(dir);
  c.uplink = { ...c.uplink, username: 'gw', passwordFile: path.join(dir, 'pw') };
  const file = writeConfig(dir, c);
  const env = { LIFTWATCH_SERVICE_USER: 'nobody' };
  const denied = await cli(['config', 'check', file], { env });
  t.equal(denied.code, 0, `a warning, not an error (an ACL may allow it)\n${denied.stderr}`);
  t.match(denied.stdout, new RegExp(`warning: ${file}: uplink\\.passwordFile: expected a file the service user nobody can read, got ${dir}/pw: mode 0600, owner uid 0 gid 0: nobody may not read it`));
  t.notMatch(denied.stdout + denied.stderr, /secret/, 'the password itself is never shown');
  fs.chmodSync(path.join(dir, 'pw'), 0o644);
  const fine = await cli(['config', 'check', file], { env });
  t.notMatch(fine.stdout, /service user/, 'readable by the service user: no warning');
  fs.chmodSync(path.join(dir, 'pw'), 0o600);
  const noSuchUser = await cli(['config', 'check', file], { env: { LIFTWATCH_SERVICE_USER: 'no-such-user-here' } });
  t.notMatch(noSuchUser.stdout, /service user/, 'no service user on this machine (a development box): nothing to tell');
});

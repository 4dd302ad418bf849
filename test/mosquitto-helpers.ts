/**
 * mosquitto (Debian) and an openssl-made PKI for the real-broker tests (not a test itself).
 * A test that needs them skips when they are missing, and fails instead when CI=true.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './uplink-helpers.js';
import { patient } from './helpers/patience.js';

/** The tool on PATH (Debian puts mosquitto in /usr/sbin), or null. */
export function which(tool: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, tool);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** Skip message when tools are missing, or throws under CI (where they must be installed). */
export function missingTools(...tools: string[]): string | null {
  const missing = tools.filter((t) => which(t) === null);
  if (missing.length === 0) return null;
  if (process.env['CI'] === 'true') throw new Error(`required tools missing in CI: ${missing.join(', ')}`);
  return `needs ${missing.join(', ')} on PATH`;
}

export interface Mosquitto {
  port: number;
  stderr: () => string;
  stop(): Promise<void>;
}

/**
 * Starts mosquitto on a free loopback port with `listenerLines` under its listener. Queues are
 * raised from the default 1000 (mosquitto's `max_queued_messages` drops messages for a slow
 * subscriber: a PUBACK is not delivery), nothing persists, it runs as the current user.
 */
export async function startMosquitto(dir: string, listenerLines: string[] = [], globalLines: string[] = []): Promise<Mosquitto> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'persistence false',
      'max_queued_messages 100000',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      // mosquitto 2 refuses anonymous clients unless told otherwise.
      ...([...globalLines, ...listenerLines].some((l) => l.startsWith('allow_anonymous')) ? [] : ['allow_anonymous true']),
      ...globalLines,
      `listener ${port} 127.0.0.1`,
      ...listenerLines,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(which('mosquitto') ?? 'mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + patient(10_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port}: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  return {
    port,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Pki {
  ca: string; // CA that signed server and client
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string; // an unrelated CA
  otherServerCert: string; // a server certificate signed by otherCa
  otherServerKey: string;
}

/** A CA, a server (SAN 127.0.0.1, localhost) and a client, plus an unrelated CA and server. */
export function makePki(dir: string): Pki {
  const ssl = (...args: string[]) => execFileSync(which('openssl') ?? 'openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => ssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=liftwatch test ${name}`);
  const leaf = (name: string, signer: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', serverExt);
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other-server', 'other-ca', serverExt);
  const p = (f: string) => join(dir, f);
  return {
    ca: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    otherCa: p('other-ca.pem'),
    otherServerCert: p('other-server.pem'),
    otherServerKey: p('other-server.key'),
  };
}

/** A TCP relay in front of a broker whose connections a test can cut like a network failure. */
export async function cuttableRelay(targetPort: number): Promise<{ port: number; cut: () => number; stop: () => Promise<void> }> {
  const { createServer, connect: dial } = await import('node:net');
  const pairs = new Set<{ a: import('node:net').Socket; b: import('node:net').Socket }>();
  const server = createServer((a) => {
    const b = dial(targetPort, '127.0.0.1');
    const pair = { a, b };
    pairs.add(pair);
    const end = () => {
      a.destroy();
      b.destroy();
      pairs.delete(pair);
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
    a.pipe(b);
    b.pipe(a);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      const n = pairs.size;
      for (const p of [...pairs]) {
        p.a.destroy();
        p.b.destroy();
      }
      return n;
    },
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const p of [...pairs]) {
        p.a.destroy();
        p.b.destroy();
      }
      await closed;
    },
  };
}

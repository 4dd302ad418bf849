/**
 * The start checks: what `liftwatch run` would trip on, found before anything is bound,
 * published or written. `config check` runs the very same checks; only what is occupied right
 * now differs: a socket an agent answers on, a port in use. For `run` those stop the start
 * (another agent, another broker); for `config check` they are warnings, since the agent the
 * config is meant for may be the one running.
 */
import { serviceUserFindings } from './service-user.js';
import type { Config } from '../config/types.js';
import { migrationsOf } from '../config/load.js';
import { credentialFindings } from './files.js';
import { error, warning, type Finding } from './findings.js';
import { pathUses } from './inventory.js';
import { portErrnoText, probePort, probeSocket } from './network.js';
import { collisionFindings, typeFindings } from './paths.js';
import type { PathSegment } from '../config/errors.js';

export { environmentError, toProblems, type Finding } from './findings.js';

export interface Bind {
  key: PathSegment[];
  host: string;
  port: number;
  what: string;
}

export interface PreflightOptions {
  mode: 'check' | 'run';
  /** TCP ports the start will listen on besides the embedded broker's (the demo's simulator). */
  binds?: Bind[];
}

/** The TCP ports a start listens on: the embedded broker's when it is enabled (port 0: any). */
export function brokerBinds(config: Config): Bind[] {
  const b = config.broker;
  return b.enabled && b.port !== 0 ? [{ key: ['broker', 'port'], host: b.host, port: b.port, what: 'the embedded MQTT broker' }] : [];
}

/** What the migration of an older config format changed (config/migrate.ts). */
function deprecations(config: Config): Finding[] {
  return migrationsOf(config).map((n) => warning('DEPRECATED_KEY', n.path, n.message));
}

export async function preflight(config: Config, opts: PreflightOptions): Promise<Finding[]> {
  const occupied = opts.mode === 'run' ? error : warning;
  const uses = pathUses(config);
  const findings: Finding[] = [...collisionFindings(uses), ...typeFindings(uses), ...credentialFindings(config), ...(opts.mode === 'check' ? serviceUserFindings(config) : []), ...deprecations(config)];
  const broken = new Set(findings.map((f) => f.key.join('.')));
  for (const u of uses) {
    if (u.kind !== 'socket' || broken.has(u.key.join('.'))) continue;
    const s = await probeSocket(u.file);
    if (s.state === 'live') {
      findings.push(
        occupied(
          'SOCKET_IN_USE',
          u.key,
          opts.mode === 'run'
            ? `expected no process answering on ${u.file}, got one: another liftwatch agent is serving this socket (stop it, or give this one its own socket and database)`
            : `expected no process answering on ${u.file}, got one now (the agent this config is for, if it runs; \`run\` refuses to start while it does)`,
        ),
      );
    } else if (s.state === 'refused') {
      findings.push(error('PATH_NOT_WRITABLE', u.key, `expected to be able to check ${u.file} for a live agent, got ${s.code}`));
    }
  }
  for (const b of [...brokerBinds(config), ...(opts.binds ?? [])]) {
    const code = await probePort(b.host, b.port);
    if (code !== null) {
      const f = code === 'EADDRINUSE' ? occupied : error;
      findings.push(f('PORT_UNAVAILABLE', b.key, `expected a port ${b.what} can listen on at ${b.host}, got ${b.port}: ${portErrnoText(code)}${opts.mode === 'check' && code === 'EADDRINUSE' ? ' now' : ''}`));
    }
  }
  // A refusal that depends on who asks: `run` is the service itself, `config check` may be
  // anyone (an installer as root, a technician, a developer on another machine).
  return opts.mode === 'run'
    ? findings
    : findings.map((f) => (f.byUser && f.severity === 'error' ? { ...f, severity: 'warning', message: `${f.message}; \`run\` as this user would stop here (run config check as the service user to know what it meets)` } : f));
}

/**
 * `liftwatch init`: writes a valid config, asking on a terminal (or with --interactive) for
 * whatever the flags did not give; fully flag-driven with --yes. The file is validated exactly as
 * `config check` does before it is put in place, so init never leaves an invalid config behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ConfigError } from '../../config/errors.js';
import { hostnameToId } from '../../config/load.js';
import { loadProfile } from '../../config/profiles.js';
import { loadAll } from '../load.js';
import { output } from '../format/output.js';
import { CODE } from './exit-codes.js';
import { configYaml, DEFAULT_WIRING, parseLiftSpec, parseWiringSpec, type InitAnswers, type LiftAnswer } from './init-config.js';
import { findSerialPorts } from './serial-ports.js';

export interface InitOptions {
  out: string;
  siteId?: string;
  siteName?: string;
  address?: string;
  gatewayId?: string;
  port?: string;
  baud: string;
  parity: string;
  lift: string[];
  wiring: string[];
  broker?: string;
  username?: string;
  passwordFile?: string;
  ca?: string;
  storage: string;
  socket?: string;
  yes?: boolean;
  interactive?: boolean;
  force?: boolean;
}

type Ask = (question: string, def?: string) => Promise<string>;

/** Writes the configuration; the exit code. */
export async function init(o: InitOptions): Promise<number> {
  const out = output({});
  if (fs.existsSync(o.out) && !o.force) {
    out.error(`${o.out} exists; give --force to overwrite it or --out for another file`);
    return CODE.USAGE;
  }
  const interactive = !o.yes && (o.interactive || Boolean(process.stdin.isTTY));
  const rl = interactive ? readline.createInterface({ input: process.stdin, terminal: Boolean(process.stdin.isTTY) }) : null;
  const lines = rl?.[Symbol.asyncIterator]();
  const ask: Ask = async (q, def) => {
    if (!lines) return def ?? '';
    process.stdout.write(`${q}${def !== undefined && def !== '' ? ` [${def}]` : ''}: `);
    const r = await lines.next();
    if (!process.stdin.isTTY) process.stdout.write('\n');
    const v = r.done ? '' : String(r.value).trim();
    return v === '' ? (def ?? '') : v;
  };
  try {
    const a = await answers(o, ask, interactive, out.print);
    if (typeof a === 'string') {
      out.error(a);
      return CODE.USAGE;
    }
    const text = configYaml(a, new Date());
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    const tmp = `${o.out}.init-${process.pid}.yaml`;
    fs.writeFileSync(tmp, text, { mode: 0o640 });
    try {
      loadAll(tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if (!(err instanceof ConfigError)) throw err;
      out.error(`the answers do not make a valid configuration; nothing was written (${err.code})\n${err.message.split(tmp).join(o.out)}`);
      return CODE.CONFIG;
    }
    fs.renameSync(tmp, o.out);
    out.print(`wrote ${o.out}: site ${a.siteId}, gateway ${a.gatewayId}, ${a.lifts.length} lift(s) on ${a.port}\nnext: liftwatch config check ${o.out} && liftwatch probe --port ${a.port} && liftwatch commission --config ${o.out}`);
    return CODE.OK;
  } finally {
    rl?.close();
  }
}

async function answers(o: InitOptions, ask: Ask, interactive: boolean, say: (s: string) => void): Promise<InitAnswers | string> {
  const siteId = o.siteId ?? (await ask('Site id (letters, digits, _ and -)', interactive ? undefined : ''));
  if (!siteId) return '--site-id is required';
  const siteName = o.siteName ?? (await ask('Site name', siteId));
  const address = o.address ?? (interactive ? await ask('Street address (optional)', '') : undefined);
  const gatewayId = o.gatewayId ?? (await ask('Gateway id', hostnameToId(os.hostname())));
  let port = o.port;
  if (!port) {
    const found = await findSerialPorts();
    if (interactive && found.length) {
      say('Serial ports found (stable /dev/serial/by-id names first):');
      found.forEach((p, i) => say(`  ${i + 1}) ${p.path}${p.device !== p.path ? ` -> ${p.device}` : ''}${p.description ? `  ${p.description}` : ''}`));
    }
    const pick = await ask('Serial port (number or path)', found[0]?.path ?? '/dev/ttyUSB0');
    port = /^\d+$/.test(pick) ? (found[Number(pick) - 1]?.path ?? pick) : pick;
  }
  const baudRate = Number(o.baud);
  if (!Number.isInteger(baudRate)) return `--baud expects a number, got ${o.baud}`;
  if (!['none', 'even', 'odd'].includes(o.parity)) return `--parity expects none, even or odd, got ${o.parity}`;
  const lifts: LiftAnswer[] = [];
  for (const spec of o.lift) {
    const l = parseLiftSpec(spec);
    if (typeof l === 'string') return `--lift: ${l}`;
    lifts.push(l);
  }
  if (!lifts.length && interactive) {
    const n = Number(await ask('How many lifts on this bus', '1'));
    for (let i = 0; i < n; i++) {
      const id = await ask(`Lift ${i + 1}: id`, String.fromCharCode(65 + i));
      const unitId = Number(await ask(`Lift ${id}: Modbus unit id (1..247)`, String(i + 1)));
      const profile = await ask(`Lift ${id}: profile (liftwatch profiles list)`, 'generic-di-16');
      const landings = (await ask(`Lift ${id}: landings bottom to top, comma-separated`, '0,1,2,3')).split(',').map((s) => s.trim());
      lifts.push({ id, unitId, profile, landings, wiring: {} });
    }
  }
  if (!lifts.length) return '--lift is required (e.g. --lift A:1:generic-di-16:0,1,2,3)';
  for (const spec of o.wiring) {
    const w = parseWiringSpec(spec);
    if (typeof w === 'string') return `--wiring: ${w}`;
    const lift = lifts.find((l) => l.id === w.liftId);
    if (!lift) return `--wiring names lift ${w.liftId}, which no --lift declares`;
    lift.wiring = w.wiring;
  }
  for (const lift of lifts) {
    let kind: string;
    let count = 16;
    try {
      const p = loadProfile(lift.profile);
      kind = p.kind;
      count = p.inputs?.count ?? count;
    } catch {
      continue; // reported with file and path by the validation before writing
    }
    if (kind !== 'io-module' || Object.keys(lift.wiring).length) continue;
    if (interactive) {
      say(`Lift ${lift.id} uses an I/O module: which input carries each signal? (blank = not wired, !N = contact open for the condition)`);
      for (const [signal, def] of Object.entries({ ...DEFAULT_WIRING, mainsPower: 11, endOfAlarm: 12 })) {
        const v = await ask(`  ${signal}`, def < count ? String(def) : '');
        const m = /^(!?)(\d+)$/.exec(v);
        if (m) lift.wiring[signal] = { input: Number(m[2]), ...(m[1] ? { invert: true } : {}) };
      }
    } else {
      for (const [signal, input] of Object.entries(DEFAULT_WIRING)) if (input < count) lift.wiring[signal] = { input };
      say(`note: lift ${lift.id} gets the default wiring (${Object.entries(DEFAULT_WIRING).map(([s, n]) => `${s}=${n}`).join(', ')}); give --wiring to change it`);
    }
  }
  const brokerUrl = o.broker ?? (await ask('MQTT broker URL', 'mqtts://mqtt.example.net:8883'));
  const username = o.username ?? (interactive ? await ask('MQTT user name (optional)', gatewayId) : undefined);
  const passwordFile = o.passwordFile ?? (interactive && username ? await ask('File holding the MQTT password', '/etc/liftwatch/mqtt-password') : undefined);
  const caFile = o.ca ?? (interactive && brokerUrl.startsWith('mqtts:') ? await ask('CA certificate of the broker (blank: system CAs)', '') : undefined);
  return {
    siteId,
    siteName,
    ...(address ? { address } : {}),
    gatewayId,
    port,
    baudRate,
    parity: o.parity as InitAnswers['parity'],
    lifts,
    brokerUrl,
    ...(username ? { username } : {}),
    ...(passwordFile ? { passwordFile } : {}),
    ...(caFile ? { caFile } : {}),
    storagePath: o.storage,
    ...(o.socket ? { socket: o.socket } : {}),
  };
}

/** `liftwatch profiles list|show|lint`: the device profiles (devices/*.yaml, data not code). */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, formatProblem } from '../../config/errors.js';
import { loadProfile, profileIds } from '../../config/profiles.js';
import type { DeviceProfile } from '../../config/types.js';
import { output } from '../format/output.js';
import { keyValues, table } from '../format/table.js';
import { CODE } from './exit-codes.js';

export interface ProfilesOptions {
  devices: string;
  json?: boolean;
}

/** `profiles list`: every profile with its kind; exit 7 when one is not valid. */
export function list(o: ProfilesOptions): number {
  const out = output(o);
  const rows: DeviceProfile[] = [];
  const bad: string[] = [];
  for (const id of profileIds(o.devices)) {
    try {
      rows.push(loadProfile(id, { devicesDir: o.devices }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      bad.push(id);
    }
  }
  if (out.json) out.printJson(rows.map((p) => ({ id: p.id, kind: p.kind, template: p.template, title: p.title, file: p.file, signals: Object.keys(p.signals ?? {}) })));
  else {
    out.print(table(['id', 'kind', 'template', 'title'], rows.map((p) => [p.id, p.kind, p.template ? out.paint.yellow('TEMPLATE') : 'no', p.title])));
    if (bad.length) out.error(`${bad.length} profile(s) not valid: ${bad.join(', ')} (liftwatch profiles lint)`);
  }
  return bad.length ? CODE.CHECK_FAILED : CODE.OK;
}

/** `profiles show`: where each signal of a profile is read from. */
export function show(id: string, o: ProfilesOptions): number {
  const out = output(o);
  try {
    const p = loadProfile(id, { devicesDir: o.devices });
    if (out.json) {
      out.printJson(p);
    } else {
      out.print(keyValues([['id', p.id], ['title', p.title], ['kind', p.kind], ['template', p.template ? out.paint.yellow('yes: adapt it to the vendor documentation before use') : 'no'], ['file', p.file]]));
      if (p.description) out.print(p.description.trim() + '\n');
      if (p.inputs) out.print(`inputs: ${p.inputs.count} × ${p.inputs.table} from address ${p.inputs.address} (one request); wire them per lift under lifts[].signals\n`);
      const sig = Object.entries(p.signals ?? {});
      if (sig.length) out.print(table(['signal', 'table', 'address', 'bit', 'type', 'scale', 'invert'], sig.map(([n, s]) => [n, s.table, s.address, s.bit, s.bit !== undefined ? 'bit' : (s.type ?? (s.table === 'holding' || s.table === 'input' ? 'uint16' : 'bool')), s.scale, s.invert ?? false])));
      if (p.frames) out.print(`frames: ${p.frames.format}, ${p.frames.messages.length} message(s)\n`);
      const faults = Object.entries(p.faultCodes ?? {});
      if (faults.length) out.print('\n' + table(['fault code', 'maps to', 'text'], faults.map(([c, f]) => [c, f.code, f.text])));
    }
    return CODE.OK;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.error(`${id}: not a valid profile (${err.code})\n${err.message}`);
    return err.code === 'PROFILE_NOT_FOUND' ? CODE.USAGE : CODE.CHECK_FAILED;
  }
}

/** `profiles lint`: each file checked against the schema and the signal rules; exit 7 on any problem. */
export function lint(files: string[], o: ProfilesOptions): number {
  const out = output(o);
  const targets = files.length ? files.map((f) => path.resolve(f)) : profileIds(o.devices).map((id) => path.join(o.devices, `${id}.yaml`));
  const results = targets.map((file) => {
    if (!fs.existsSync(file)) return { file, ok: false, problems: [`${file}: no such file`] };
    try {
      const p = loadProfile(file, { devicesDir: o.devices });
      return { file, ok: true, problems: [] as string[], template: p.template };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return { file, ok: false, problems: err.problems.map(formatProblem) };
    }
  });
  if (out.json) out.printJson(results);
  else
    for (const r of results) {
      if (r.ok) out.print(`${out.paint.green('ok')}    ${r.file}${r.template ? out.paint.yellow('  (template: adapt before use)') : ''}`);
      else out.print(`${out.paint.red('FAIL')}  ${r.file}\n${r.problems.map((p) => '      ' + p).join('\n')}`);
    }
  return results.every((r) => r.ok) && results.length > 0 ? CODE.OK : CODE.CHECK_FAILED;
}

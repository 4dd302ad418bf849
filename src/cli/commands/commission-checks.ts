/**
 * The checks behind `liftwatch commission`, each returning a step result with what to do when it
 * fails. Field checks either open the bus themselves (agent stopped) or ask the running agent
 * (it holds the serial port, so a second open would fail with a lock error).
 */
import { redactText } from '../../platform/redact.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Config, DeviceProfile } from '../../config/types.js';
import type { SignalValues } from '../../core/signals.js';
import { buildReadPlan } from '../../field/read-plan.js';

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface StepResult {
  step: string;
  target?: string;
  status: StepStatus;
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

// Details often carry a library's error message, which may quote the broker URL: redacted here,
// so neither the terminal nor the saved and published report ever holds a URL's password.
export const pass = (step: string, detail: string, target?: string): StepResult => ({ step, status: 'pass', detail: redactText(detail), ...(target ? { target } : {}) });
export const fail = (step: string, detail: string, fix: string, target?: string): StepResult => ({ step, status: 'fail', detail: redactText(detail), fix, ...(target ? { target } : {}) });

/** Agent stopped: opens each Modbus bus and reads each lift's whole read plan once. */
export async function fieldChecksDirect(config: Config, profiles: Map<string, DeviceProfile>): Promise<{ steps: StepResult[]; values: Map<string, SignalValues> }> {
  const { ModbusSerialLink } = await import('../../field/modbus-serial-link.js');
  const steps: StepResult[] = [];
  const values = new Map<string, SignalValues>();
  for (const bus of config.buses) {
    const lifts = config.lifts.filter((l) => l.bus === bus.id);
    if (bus.type === 'serial-frames') {
      steps.push({ step: 'port-opens', target: bus.id, status: 'skip', detail: 'plain-frames bus: check it with the agent running (liftwatch status)' });
      continue;
    }
    const link = new ModbusSerialLink(bus);
    try {
      await link.open();
      steps.push(pass('port-opens', bus.type === 'modbus-rtu' ? `${bus.port} opened at ${bus.baudRate} baud, parity ${bus.parity}` : `${bus.host}:${bus.port} connected`, bus.id));
    } catch (err) {
      steps.push(
        fail('port-opens', (err as Error).message, bus.type === 'modbus-rtu' ? `check that ${bus.port} exists (ls -l /dev/serial/by-id), that this user may open it (group dialout), and that nothing else holds it (systemctl stop liftwatch)` : `check that ${bus.host}:${bus.port} is reachable`, bus.id),
      );
      for (const l of lifts) steps.push({ step: 'lift-answers', target: l.id, status: 'skip', detail: `bus ${bus.id} did not open` });
      continue;
    }
    try {
      for (const lift of lifts) {
        const profile = profiles.get(lift.profile) as DeviceProfile;
        const plan = buildReadPlan(profile, lift);
        try {
          const started = Date.now();
          const results: Array<number[] | boolean[]> = [];
          for (const req of plan.requests) results.push(await link.read(lift.unitId, req, bus.timeoutMs));
          values.set(lift.id, plan.decode(results));
          steps.push(pass('lift-answers', `unit ${lift.unitId} answered ${plan.requests.length} request(s) in ${Date.now() - started} ms`, lift.id));
        } catch (err) {
          steps.push(fail('lift-answers', `unit ${lift.unitId}: ${(err as Error).message}`, `check the unit id set on the device (${lift.unitId}), A/B wiring and termination; run liftwatch probe --port ${bus.type === 'modbus-rtu' ? bus.port : `tcp://${bus.host}:${bus.port}`}`, lift.id));
        }
      }
    } finally {
      await link.close().catch(() => undefined);
    }
  }
  return { steps, values };
}

/** What a healthy lift standing in service should read; each rule says what to fix. */
export function plausibility(config: Config, liftId: string, v: SignalValues): StepResult {
  const lift = config.lifts.find((l) => l.id === liftId);
  const problems: string[] = [];
  const b = v as Partial<Record<string, unknown>>;
  if (b['doorOpenLimit'] === true && b['doorClosedLimit'] === true) problems.push('doorOpenLimit and doorClosedLimit both on: one contact is wired to the wrong input or needs invert');
  if (b['moving'] === true && b['doorOpenLimit'] === true) problems.push('moving with the doors fully open: check moving and doorOpenLimit wiring');
  if (b['safetyChain'] === false) problems.push('safetyChain reads open: if the lift is in service the chain is closed; check the tap or set invert: true');
  if (b['mainsPower'] === false) problems.push('mainsPower reads off: check the phase monitor contact or set invert: true');
  if (b['alarmButton'] === true) problems.push('alarmButton reads pressed at rest: a normally-closed button contact needs invert: true');
  if (b['endOfAlarm'] === true) problems.push('endOfAlarm reads on at rest: check the key switch contact or set invert: true');
  const floor = b['floor'];
  if (typeof floor === 'number' && lift && (floor < 0 || floor >= lift.landings.length)) problems.push(`floor ${floor} is outside the ${lift.landings.length} landings configured: check landings or the floor register`);
  const read = Object.keys(v).length;
  if (read === 0) problems.push('no signal values decoded');
  return problems.length
    ? fail('signals-plausible', problems.join('; '), 'fix the wiring or the lift\'s signals/invert in the config, then run liftwatch signals --watch while operating the lift', liftId)
    : pass('signals-plausible', `${read} signal(s) read: ${Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(' ')}`, liftId);
}

/** systemd-timesyncd/chrony via timedatectl; else the timesyncd flag file. */
export function clockCheck(): StepResult {
  const fix = 'enable time synchronisation (timedatectl set-ntp true, or install chrony) and let it reach an NTP server: event times must be right';
  try {
    const v = execFileSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return v === 'yes' ? pass('clock-synchronised', `timedatectl: NTPSynchronized=yes, now ${new Date().toISOString()}`) : fail('clock-synchronised', `timedatectl: NTPSynchronized=${v || 'unknown'}`, fix);
  } catch {
    if (fs.existsSync('/run/systemd/timesync/synchronized')) return pass('clock-synchronised', 'systemd-timesyncd reports synchronised');
    return fail('clock-synchronised', 'cannot tell whether the clock is synchronised (no timedatectl, no timesyncd flag)', fix);
  }
}

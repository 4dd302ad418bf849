/** The technician's and installer's subcommands, one file each; main.ts registers them with one line per group. */
import type { Command } from 'commander';
import { register as status } from './status.js';
import { register as alarms } from './alarms.js';
import { register as history } from './history.js';
import { register as signals } from './signals.js';
import { register as outbox } from './outbox.js';
import { register as endAlarm } from './end-alarm.js';
import { register as testAlarm } from './test-alarm.js';
import { register as profiles } from './profiles.js';
import { register as probe } from './probe.js';
import { register as init } from './init.js';
import { register as commission } from './commission.js';

export function registerTechnicianCommands(program: Command): void {
  for (const register of [status, alarms, history, signals, outbox, endAlarm, testAlarm]) register(program);
}

export function registerInstallerCommands(program: Command): void {
  for (const register of installer) register(program);
}

const installer: Array<(p: Command) => void> = [init, probe, profiles, commission];

/**
 * The technician's and installer's subcommands as `--help` shows them: names, options, help
 * text and examples. Nothing here loads a command's implementation; each action imports its
 * module (one file per command in this folder) when that command runs, so `liftwatch --help`
 * or `liftwatch status` pays only for what it uses.
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG, defaultDevicesDir } from '../defaults.js';
import { usageExits } from './exit-codes.js';

/** An action whose implementation is loaded when it runs; its result is the exit code. */
export function lazy<A extends unknown[]>(load: () => Promise<(...args: A) => number | Promise<number>>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const run = await load();
    process.exitCode = await run(...args);
  };
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A technician's subcommand with the shared options and an example in --help. */
export function diagCommand(program: Command, name: string, description: string, examples: string[]): Command {
  const cmd = program
    .command(name)
    .description(description)
    .option('-c, --config <path>', 'configuration file (names the socket and the database)', DEFAULT_CONFIG)
    .option('--socket <path>', 'diagnostics socket (default: from the configuration)')
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
  return usageExits(cmd);
}

/** status, alarms, history, signals, outbox, end-alarm, test-alarm. */
export function registerTechnicianCommands(program: Command): void {
  diagCommand(program, 'status', 'running since, version, uplink, buses, lifts and outbox of the running agent', [
    'liftwatch status',
    'liftwatch status --json | jq .outbox.pending',
  ]).action(lazy(async () => (await import('./status.js')).status));

  diagCommand(program, 'alarms', 'active alarms, most severe first', ['liftwatch alarms', 'liftwatch alarms --lift A --json'])
    .option('-l, --lift <id>', 'only this lift')
    .action(lazy(async () => (await import('./alarms.js')).alarms));

  diagCommand(program, 'history', 'alarm events of the last 24 h (or --since), oldest first', [
    'liftwatch history --lift A --since 2h',
    'liftwatch history --since 2026-11-01 --json',
  ])
    .option('-l, --lift <id>', 'only this lift')
    .option('-s, --since <when>', 'how far back: 30m, 24h, 7d or an ISO date', '24h')
    .option('-n, --limit <n>', 'at most this many events (the newest)', '1000')
    .action(lazy(async () => (await import('./history.js')).history));

  diagCommand(program, 'signals', 'raw and debounced signal values per lift; --watch refreshes in place', [
    'liftwatch signals --lift A',
    'liftwatch signals --watch --interval 250',
  ])
    .option('-l, --lift <id>', 'only this lift')
    .option('-w, --watch', 'redraw in place until Ctrl-C')
    .option('--interval <ms>', 'refresh period with --watch', '500')
    .option('--count <n>', 'with --watch: stop after this many refreshes')
    .option('--tty', 'draw with terminal escapes even when stdout is not a terminal')
    .action(lazy(async () => (await import('./signals.js')).signals));

  diagCommand(program, 'outbox', 'pending events by priority, oldest undelivered age, evictions', ['liftwatch outbox', 'liftwatch outbox --json']).action(
    lazy(async () => (await import('./outbox.js')).outbox),
  );

  diagCommand(program, 'end-alarm', 'end of alarm on site (EN 81-28) for one lift: ends PASSENGER_TRAPPED and other latched alarms', [
    'sudo -u liftwatch liftwatch end-alarm --lift A --by "J. Smith"',
  ])
    .requiredOption('-l, --lift <id>', 'the lift')
    .option('--by <name>', 'who gives the end of alarm (recorded in the event)')
    .action(lazy(async () => (await import('./end-alarm.js')).endAlarm));

  diagCommand(program, 'test-alarm', 'send a test event (TEST_CALL) through the whole chain and wait for the broker to acknowledge it', [
    'sudo -u liftwatch liftwatch test-alarm --lift A',
  ])
    .requiredOption('-l, --lift <id>', 'the lift')
    .option('--timeout <s>', 'how long to wait for the PUBACK', '15')
    .action(lazy(async () => (await import('./test-alarm.js')).testAlarm));
}

/** init, probe, profiles, commission. */
export function registerInstallerCommands(program: Command): void {
  usageExits(
    program
      .command('init')
      .description('write a configuration: a wizard on a terminal, or fully driven by flags with --yes')
      .option('-o, --out <path>', 'where to write the config', DEFAULT_CONFIG)
      .option('--site-id <id>', 'building id (letters, digits, _ and -; an MQTT topic level)')
      .option('--site-name <name>', 'building name as people say it')
      .option('--address <text>', 'street address')
      .option('--gateway-id <id>', 'this box (default: the host name)')
      .option('--port <path>', 'RS-485 serial port (prefer /dev/serial/by-id/...)')
      .option('--baud <n>', 'baud rate', '19200')
      .option('--parity <p>', 'none, even or odd', 'none')
      .option('--lift <ID:UNIT:PROFILE:LANDINGS>', 'a lift, repeatable, e.g. A:1:generic-di-16:-1,0,1,2', collect, [])
      .option('--wiring <LIFT:signal=input,...>', 'inputs of an I/O-module lift, repeatable; !N = inverted contact', collect, [])
      .option('--broker <url>', 'MQTT broker, mqtts://host:8883 or mqtt://host:1883')
      .option('--username <name>', 'MQTT user name')
      .option('--password-file <path>', 'file holding the MQTT password (never the password itself)')
      .option('--ca <path>', 'CA certificate that signed the broker (mqtts)')
      .option('--storage <path>', 'SQLite database', '/var/lib/liftwatch/liftwatch.db')
      .option('--socket <path>', 'diagnostics socket (default /run/liftwatch/liftwatch.sock)')
      .option('-y, --yes', 'never ask: take defaults for anything not given')
      .option('--interactive', 'ask even when stdin is not a terminal (answers one per line)')
      .option('-f, --force', 'overwrite an existing file')
      .addHelpText(
        'after',
        '\nExamples:\n  sudo liftwatch init\n  liftwatch init --yes --out /etc/liftwatch/liftwatch.yaml --site-id hv12 --site-name "Harbour View 12" \\\n    --port /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K3XQ2-if00-port0 --lift A:1:generic-di-16:K,0,1,2 \\\n    --wiring A:safetyChain=0,doorZone=1,alarmButton=!6 --broker mqtts://mqtt.example.net:8883 --username hv12 --password-file /etc/liftwatch/mqtt-password\n',
      ),
  ).action(lazy(async () => (await import('./init.js')).init));

  usageExits(
    program
      .command('probe')
      .description('scan a serial port for Modbus units: baud rates, parities, unit ids (bounded in time)')
      .requiredOption('-p, --port <path>', 'serial device (prefer /dev/serial/by-id/...), or tcp://HOST:PORT for RTU over TCP')
      .option('--bauds <list>', 'baud rates to try', '19200,9600,38400')
      .option('--parities <list>', 'parities to try (none, even, odd)', 'none,even')
      .option('--units <ids>', 'unit ids, e.g. 1-10,20', '1-16')
      .option('--timeout <ms>', 'answer timeout per request', '150')
      .option('--max-time <s>', 'stop scanning after this long', '60')
      .option('--json', 'print JSON for scripts')
      .addHelpText('after', '\nExamples:\n  liftwatch probe --port /dev/serial/by-id/usb-FTDI_USB-RS485-if00-port0\n  liftwatch probe --port /dev/ttyUSB0 --bauds 9600 --parities even --units 1-247 --max-time 120\n'),
  ).action(lazy(async () => (await import('./probe.js')).probe));

  const profiles = usageExits(
    program
      .command('profiles')
      .description('device profiles: list, show, lint')
      .addHelpText('after', '\nExamples:\n  liftwatch profiles list\n  liftwatch profiles show generic-di-16\n  liftwatch profiles lint ./my-controller.yaml\n'),
  );
  const withDir = (cmd: Command): Command => usageExits(cmd.option('-d, --devices <dir>', 'profiles directory', defaultDevicesDir()).option('--json', 'print JSON for scripts'));
  withDir(profiles.command('list').description('every profile with its kind and whether it is a template to adapt'))
    .addHelpText('after', '\nExample:\n  liftwatch profiles list\n')
    .action(lazy(async () => (await import('./profiles.js')).list));
  withDir(profiles.command('show').argument('<profile>', 'profile id or path to a YAML file').description('a profile: where each signal is read from'))
    .addHelpText('after', '\nExample:\n  liftwatch profiles show generic-di-16\n')
    .action(lazy(async () => (await import('./profiles.js')).show));
  withDir(profiles.command('lint').argument('[files...]', 'profile files (default: every profile in the directory)').description('check profiles against devices/schema.json and the signal rules; exit 7 on any problem'))
    .addHelpText('after', '\nExamples:\n  liftwatch profiles lint\n  liftwatch profiles lint ./my-controller.yaml\n')
    .action(lazy(async () => (await import('./profiles.js')).lint));

  usageExits(
    program
      .command('commission')
      .description('ordered checklist against the real box; writes a report and publishes it retained on <root>/commissioning')
      .option('-c, --config <path>', 'configuration file', DEFAULT_CONFIG)
      .option('--skip <step>', 'skip a step (recorded as skipped): clock-synchronised, round-trip', collect, [])
      .option('--timeout <s>', 'per network step', '10')
      .option('--json', 'print the JSON report')
      .addHelpText('after', '\nExamples:\n  sudo -u liftwatch liftwatch commission --config /etc/liftwatch/liftwatch.yaml\n  liftwatch commission --json > report.json\n'),
  ).action(lazy(async () => (await import('./commission.js')).commission));
}

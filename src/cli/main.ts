#!/usr/bin/env node
/**
 * The `liftwatch` command line. Every subcommand has --help with an example. Only commander and
 * the commands' descriptions are loaded here; each action imports its implementation when it
 * runs, so `--help` or `status` does not pay for the agent's libraries (docs/performance.md,
 * start-up). The long-running commands (run, demo, facility) start only after the parser is
 * gone: their action hands back what to run, and commander is released from memory first
 * (src/platform/released-packages.ts).
 */
import './agent-runtime.js'; // first: `run` without the agent's V8 limits re-executes with them here
import type * as Commander from 'commander';
import { version } from '../agent/version.js';
import { DEFAULT_CONFIG, demoConfig, EXIT } from './defaults.js';
import type { Level } from '../ports/logger.js';
import { registerTechnicianCommands, registerInstallerCommands } from './commands/index.js';
import { redactText } from '../platform/redact.js';
import { releasePackage, requirePackage } from '../platform/released-packages.js';

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

/** A command that runs until stopped: started once the parser has been let go. */
type Service = () => Promise<number>;

/** The command line; `serve` receives the long-running command when one is chosen. */
function commandLine({ Command, InvalidArgumentError }: typeof Commander, serve: (s: Service) => void): Commander.Command {
  function level(v: string): Level {
    if (!LEVELS.includes(v)) throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}`);
    return v as Level;
  }

  function intList(v: string): number[] {
    const out = v.split(',').map((s) => Number(s.trim()));
    if (out.some((n) => !Number.isInteger(n) || n < 1 || n > 247)) throw new InvalidArgumentError('expected unit ids 1..247, e.g. 1,2');
    return out;
  }

  function collect(v: string, acc: string[]): string[] {
    return [...acc, v];
  }

  function int(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
    return n;
  }

  const program = new Command();
  program
    .name('liftwatch')
    .description('Lift-monitoring agent: Modbus/serial in, classified alarms stored in SQLite and published over MQTT.')
    .version(version())
    .showHelpAfterError();

  program
    .command('run')
    .description('run the agent in the foreground (what the systemd unit starts)')
    .option('-c, --config <path>', 'configuration file', DEFAULT_CONFIG)
    .option('--log-level <level>', 'debug, info, warn, error or silent (default: the config\'s logging.level, else info)', level)
    .addHelpText('after', '\nExample:\n  liftwatch run --config /etc/liftwatch/liftwatch.yaml\n')
    .action(async (o: { config: string; logLevel?: Level }) => {
      const { runCommand } = await import('./run-command.js');
      serve(() => runCommand({ config: o.config, ...(o.logLevel ? { logLevel: o.logLevel } : {}) }));
    });

  program
    .command('facility')
    .description('run the facility side: cases from the gateways\' alarms, tenants and repairer told, operator called, web console')
    .requiredOption('-c, --config <path>', 'facility configuration (docs/facility.md)')
    .option('--log-level <level>', 'debug, info, warn, error or silent', level)
    .addHelpText('after', '\nExample:\n  liftwatch facility --config /etc/liftwatch/facility.yaml\n')
    .action(async (o: { config: string; logLevel?: Level }) => {
      const { facilityCommand } = await import('./facility-command.js');
      serve(() => facilityCommand({ config: o.config, ...(o.logLevel ? { logLevel: o.logLevel } : {}) }));
    });

  program
    .command('demo')
    .description('run the demo: embedded broker, simulated lifts and the agent, alarms printed as they flow')
    .option('-c, --config <path>', 'demo configuration', demoConfig())
    .option('--log-level <level>', 'debug, info, warn, error or silent', level, 'warn')
    .addHelpText('after', '\nExample:\n  liftwatch demo\n  mosquitto_sub -h 127.0.0.1 -t "liftwatch/#" -v   # in another terminal\n')
    .action(async (o: { config: string; logLevel: Level }) => {
      const { runCommand } = await import('./run-command.js');
      serve(() => runCommand({ config: o.config, logLevel: o.logLevel, simulate: 'demo', banner: true }));
    });

  program
    .command('simulate')
    .description("serve simulated lifts as Modbus slaves (liftwatch's controller simulator)")
    .option('-l, --listen <target...>', 'tcp://HOST:PORT (RTU over TCP), mbap://HOST:PORT (Modbus TCP), a serial device path (RTU), or ascii:PATH / binary:PATH (plain status frames)', [
      'tcp://127.0.0.1:5020',
    ])
    .option('-u, --units <ids>', 'Modbus unit ids, one per simulated lift', intList, [1, 2])
    .option('--landings <n>', "landings per lift (default: the traffic profile's, else 6)", int)
    .option('-s, --scenario <name>', 'demo, idle, trips or masking (default: demo; trips with --traffic or --behaviour)')
    .option('-t, --traffic <name>', 'traffic profile: shuttle, office-peak or express (timing, landings, contact bounce)')
    .option('-b, --behaviour <spec>', 'inject a behaviour at start, KIND[:ARG...][@UNITS], e.g. door-obstructed, loose-contact:doorZone:60000@2 (repeatable)', collect, [])
    .option('--seed <n>', 'random seed for trips', int, 1)
    .addHelpText(
      'after',
      '\nExamples:\n  liftwatch simulate --listen tcp://127.0.0.1:5020 --units 1,2\n  liftwatch simulate --listen tcp://127.0.0.1:5020 --units 1,2 --traffic shuttle --behaviour door-obstructed\n  socat pty,raw,echo=0,link=/tmp/a pty,raw,echo=0,link=/tmp/b & liftwatch simulate --listen /tmp/a --scenario trips\n  liftwatch simulate --listen ascii:/tmp/a binary:/tmp/c --units 1,2\n',
    )
    .action(async (o: { listen: string[]; units: number[]; landings?: number; scenario?: string; traffic?: string; behaviour: string[]; seed: number }) => {
      const { simulateCommand } = await import('./simulate-command.js');
      process.exitCode = await simulateCommand(o);
    });

  const configCmd = program.command('config').description('configuration tools');
  configCmd
    .command('check')
    .argument('[path]', 'configuration file', DEFAULT_CONFIG)
    .description('validate a configuration and every device profile it references, and say which alarms each lift\'s wiring can detect; exit 0 only when valid')
    .addHelpText('after', '\nExample:\n  liftwatch config check /etc/liftwatch/liftwatch.yaml\n')
    .action(async (path: string) => {
      const { configCheck } = await import('./config-check.js');
      process.exitCode = await configCheck(path);
    });

  registerTechnicianCommands(program); // status, alarms, history, signals, outbox, end-alarm, test-alarm
  registerInstallerCommands(program); // init, probe, profiles, commission
  return program;
}

async function main(argv: string[]): Promise<void> {
  const chosen: Service[] = [];
  await commandLine(requirePackage<typeof Commander>('commander'), (s) => chosen.push(s)).parseAsync(argv);
  const service = chosen[0];
  if (service === undefined) return;
  releasePackage('commander'); // the program above is garbage now: a running agent never parses again
  process.exitCode = await service();
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(redactText(`liftwatch: ${err instanceof Error ? err.message : String(err)}\n`));
  process.exitCode = EXIT.FAILURE;
});

/**
 * The diagnostics side door of a running agent: the recorder listening to the agent,
 * a read-only store connection and the socket server, started and stopped as one.
 */
import type { Config, DeviceProfile } from '../config/types.js';
import type { Logger } from '../ports/logger.js';
import type { Outbox } from '../ports/outbox.js';
import { diagnosticsHandlers, type DiagnosedAgent, type HandlerDeps } from './handlers.js';
import { socketPaths } from './paths.js';
import { DiagnosticsRecorder, type Listenable } from './recorder.js';
import { DiagnosticsServer } from './server.js';
import { StoreReader } from './store-reader.js';
import type { Clock } from '../ports/clock.js';

export interface DiagnosticsServiceOptions {
  config: Config;
  agent: DiagnosedAgent & Listenable;
  outbox: Outbox;
  uplink: HandlerDeps['uplink'];
  dispatcher: HandlerDeps['dispatcher'];
  session: number;
  version: string;
  logger: Logger;
  /** Wall time for the views, timers for `test --wait`. */
  clock: Clock;
  /** For the coverage in `status` (which codes each lift's wiring can detect). */
  profiles?: Map<string, DeviceProfile>;
}

export class DiagnosticsService {
  private readonly server: DiagnosticsServer;
  private readonly reader: StoreReader;
  private readonly recorder: DiagnosticsRecorder;
  readonly socket: string;
  readonly readOnlySocket: string | null;

  constructor(o: DiagnosticsServiceOptions) {
    const paths = socketPaths(o.config.diagnostics);
    this.socket = paths.socket;
    this.readOnlySocket = paths.readOnly;
    this.reader = new StoreReader(o.config.storage.path, new Map(o.config.lifts.map((l) => [l.id, l.landings])));
    const recorder = new DiagnosticsRecorder(o.agent);
    this.recorder = recorder;
    this.server = new DiagnosticsServer({
      socket: paths.socket,
      readOnlySocket: paths.readOnly,
      group: o.config.diagnostics?.group === false ? null : (o.config.diagnostics?.group ?? 'liftwatch'),
      logger: o.logger,
      handlers: diagnosticsHandlers({
        config: o.config,
        agent: o.agent,
        outbox: o.outbox,
        uplink: o.uplink,
        dispatcher: o.dispatcher,
        recorder,
        reader: this.reader,
        session: o.session,
        version: o.version,
        now: () => o.clock.now().wall,
        sleep: (ms) => new Promise((r) => void o.clock.setTimeout(r, ms)),
        ...(o.profiles ? { profiles: o.profiles } : {}),
      }),
    });
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  /** Stops the socket, closes the store reader and detaches the recorder from the agent. */
  async stop(): Promise<void> {
    await this.server.stop();
    this.reader.close();
    this.recorder.detach();
  }
}

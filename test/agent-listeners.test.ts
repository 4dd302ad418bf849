/**
 * Whoever adds a listener to the agent removes it at its stop (zigbee2mqtt's discipline): a side
 * door stopped and started again, or a first-polls wait cancelled, must not leave a listener
 * behind that keeps counting, recording or printing for a stopped part.
 */
import t from 'tap';
import { join } from 'node:path';
import { firstPolls } from '../src/agent/first-polls.js';
import { Operations } from '../src/agent/operations.js';
import { DiagnosticsRecorder } from '../src/diagnostics/recorder.js';
import { captureLogger, tempDir, testGateway } from './uplink-helpers.js';
import { SYSTEM_PORTS } from './helpers/ports.js';

void t.test('every listener added to the agent is removed when its owner stops', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const gw = testGateway({ port: 1, file: join(dir, 'o.db'), logger: captureLogger() });
  t.teardown(() => gw.stop());
  const agent = gw.composed.agent;
  const before = agent.listenerCount;

  const wait = firstPolls(agent, ['L1', 'L2'], 60_000, SYSTEM_PORTS.clock);
  t.equal(agent.listenerCount, before + 1, 'first polls listen while waiting');
  wait.cancel();
  t.equal(agent.listenerCount, before, 'a cancelled wait removes its listener');

  const recorder = new DiagnosticsRecorder(agent);
  t.equal(agent.listenerCount, before + 1);
  recorder.detach();
  t.equal(agent.listenerCount, before, 'the diagnostics recorder detaches');

  for (let round = 1; round <= 2; round++) {
    const ops = new Operations({ config: gw.config, composed: gw.composed, clock: SYSTEM_PORTS.clock, logger: captureLogger() });
    ops.start();
    t.equal(agent.listenerCount, before + 1, `operations listen while running (round ${round})`);
    await ops.stop();
    t.equal(agent.listenerCount, before, `operations stopped: no listener left (round ${round})`);
  }
});

/**
 * Busy is not broken: a two-stop shuttle at its busiest, an office morning peak and an express
 * car, each with contact bounce, read by the real agent (`liftwatch run`) over real Modbus RTU
 * bytes in the three wirings a site may have (the controller's map, a DI retrofit without the
 * controller's commands, a minimal DI wiring), polled every 200 ms for a minute. A monitor that
 * reports busy traffic as a chattering contact (or any alarm) fails here.
 *
 * The line is a socat pty pair per lift when socat is installed; without it, the same RTU bytes
 * go over TCP on loopback, except under CI=true where socat is required (.ci/run installs it).
 */
import t from 'tap';
import { formatSoakReport, runTrafficSoak } from '../bench/lib/traffic-soak.js';
import { onPath } from './helpers/tools.js';
import { patient } from './helpers/patience.js';

const SOAK_MS = 60_000;
t.setTimeout(SOAK_MS + patient(60_000));

void t.test('three traffic profiles read in three wirings over real Modbus bytes raise nothing above info in 60 s', async (t) => {
  const socat = onPath('socat');
  if (!socat && process.env['CI'] === 'true') {
    t.fail('socat is required in CI (apt-get install socat)');
    return;
  }
  if (!socat) t.comment('socat not on PATH: RTU over TCP on loopback instead of pty pairs');
  const report = await runTrafficSoak({
    lifts: [
      // The busiest traffic on the common retrofit: contacts only, the chain following the doors.
      { wiring: 'di-retrofit', traffic: 'shuttle' },
      { wiring: 'controller', traffic: 'office-peak' },
      // Many door-zone passes per run with nothing but chain, zone and running to explain them.
      { wiring: 'minimal', traffic: 'express' },
    ],
    durationMs: SOAK_MS,
    pollIntervalMs: 200,
    transport: socat ? 'pty' : 'tcp',
  });
  t.comment(formatSoakReport(report));
  t.equal(report.agentExit, 0, 'the agent stopped cleanly on SIGTERM');
  for (const l of report.lifts) {
    t.ok(l.reads >= (SOAK_MS / 200) * 0.6, `${l.liftId}: read every 200 ms (${l.reads} reads)`);
    t.same(
      l.aboveInfo.map((e) => `${e.code} ${e.lifecycle}${e.detail ? ` (${e.detail})` : ''}`),
      [],
      `${l.wiring} reading ${l.traffic} (${l.trips} trips): nothing above info`,
    );
  }
  const shuttle = report.lifts.find((l) => l.traffic === 'shuttle');
  t.ok((shuttle?.trips ?? 0) >= 6, `the shuttle was busy (${shuttle?.trips} trips in a minute)`);
});

// Coverage is visible before commissioning and on site: `config check`, the agent's start log
// and `status` (through the diagnostics socket) say which alarm codes each lift's wiring can
// detect. Lift A is the full controller map; lift B a DI module wired without the alarm push
// or the door limits (the simulator answers discrete inputs 0..15 with its status bits).
import t from 'tap';
import { cli, rig } from './helpers/cli-agent.js';

const r = await rig({
  lifts: [
    { id: 'A', unitId: 1, landings: ['0', '1', '2'] },
    { id: 'B', unitId: 2, landings: ['0', '1', '2'], profile: 'generic-di-16', signals: '{ safetyChain: { input: 0 }, doorZone: { input: 1 }, moving: { input: 5 }, mainsPower: { input: 11 } }' },
  ],
});
t.teardown(() => r.close());
const c = ['--config', r.configFile];

void t.test('config check prints each lift\'s coverage; a gap is a warning and the exit code stays 0', async (t) => {
  const res = await cli(['config', 'check', r.configFile]);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /: valid \(/);
  t.match(res.stdout, /^lift A \(liftwatch-sim\): detects all 24 codes$/m);
  t.match(res.stdout, /^lift B \(generic-di-16\): warning: detects 9 of 24 codes; cannot detect PASSENGER_TRAPPED \(needs alarmButton\), DOORS_WONT_OPEN \(needs doorClosedLimit, or doorLocked\),/m);
  t.match(res.stdout, 'DOOR_OPEN_FAULT (needs doorOpenLimit + doorClosedLimit)');
});

void t.test('the running agent: a warning at start naming what lift B cannot detect, and status shows coverage', async (t) => {
  await r.startAgent();
  const logged = r.agentLog().split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const aboutB = logged.filter((l) => l['lift'] === 'B' && typeof l['cannotDetect'] === 'string');
  if (aboutB.length !== 1) t.comment(r.agentLog());
  t.equal(aboutB.length, 1, 'once per lift at start');
  t.match(aboutB[0], { level: /warn|40/, detects: '9 of 24', criticalUndetectable: ['PASSENGER_TRAPPED', 'DOORS_WONT_OPEN'] });
  t.match(aboutB[0]?.['cannotDetect'], /^PASSENGER_TRAPPED \(needs alarmButton\), /);
  t.notOk(logged.some((l) => l['lift'] === 'A' && l['cannotDetect'] !== undefined), 'lift A detects everything: info, below the rig\'s warn level');

  const js = await cli(['status', ...c, '--json']);
  t.equal(js.code, 0, js.stderr);
  const lifts = (JSON.parse(js.stdout) as { lifts: Array<Record<string, any>> }).lifts;
  const [a, b] = [lifts.find((l) => l['id'] === 'A'), lifts.find((l) => l['id'] === 'B')];
  t.match(a?.['coverage'], { liftId: 'A', profile: 'liftwatch-sim', detects: 24, of: 24 });
  t.match(b?.['coverage'], { liftId: 'B', profile: 'generic-di-16', detects: 9, of: 24, wired: ['safetyChain', 'doorZone', 'moving', 'mainsPower'] });
  t.equal(b?.['coverage'].codes.length, 24, 'the full per-code list');
  t.same(b?.['coverage'].codes[0], { code: 'PASSENGER_TRAPPED', severity: 'critical', detectable: false, missing: ['alarmButton'], alternatives: [['alarmButton']] });
  t.match(b?.['link'], 'ok', 'the older fields are still there');

  const text = await cli(['status', ...c]);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /LIFT\s+ALARM COVERAGE OF THE WIRING/);
  t.match(text.stdout, /^A\s+all 24 codes$/m);
  t.match(text.stdout, /^B\s+9 of 24 codes; cannot detect: PASSENGER_TRAPPED \(needs alarmButton\), /m);
  t.equal(await r.stopAgent(), 0);
  t.equal(r.agentLog().split('\n').filter((l) => l.includes('"lift":"B"') && l.includes('cannotDetect')).length, 1, 'still once: not per poll');
});

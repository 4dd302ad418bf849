/**
 * `liftwatch commission`: the ordered checklist against the real box (docs/installer.md). Writes the
 * report (JSON and text) to the state directory, publishes it retained on `<root>/commissioning`,
 * and exits 7 when a step fails, each failure saying what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { version } from '../../agent/version.js';
import type { Config, DeviceProfile } from '../../config/types.js';
import { DiagnosticsClient } from '../../diagnostics/client.js';
import { socketPaths } from '../../diagnostics/paths.js';
import { DiagnosticsError } from '../../diagnostics/protocol.js';
import { eventTopic, rootTopic } from '../../uplink/topics.js';
import { loadAll, reportConfigError } from '../load.js';
import { output, type Out } from '../format/output.js';
import { clockCheck, fail, fieldChecksDirect, pass, plausibility, type StepResult } from './commission-checks.js';
import type { BrokerSession } from './commission-broker.js';
import { CODE } from './exit-codes.js';
import type { StatusView } from './status.js';
import type { SignalsView } from './signals.js';

export interface CommissionOptions {
  config: string;
  skip: string[];
  timeout: string;
  json?: boolean;
}

export interface CommissioningReport {
  schema: 'liftwatch.commissioning/1';
  site: { id: string; name: string };
  gatewayId: string;
  version: string;
  configFile: string;
  at: string;
  agentRunning: boolean;
  ok: boolean;
  steps: StepResult[];
}

/** The checklist, the report, the exit code. */
export async function commission(o: CommissionOptions): Promise<number> {
  const out = output({ json: o.json });
  let loaded: { config: Config; profiles: Map<string, DeviceProfile> };
  try {
    loaded = loadAll(o.config);
  } catch (err) {
    return reportConfigError(err);
  }
  const { config, profiles } = loaded;
  const timeoutMs = Math.max(1, Number(o.timeout) || 10) * 1000;
  const steps: StepResult[] = [pass('config-valid', `${config.file}: ${config.lifts.length} lift(s), profiles ${[...profiles.keys()].join(', ')}`)];
  const progress = (s: StepResult): void => {
    if (!out.json) out.print(line(s, out));
  };
  progress(steps[0] as StepResult);
  const record = (s: StepResult): void => {
    progress(s);
    steps.push(s);
  };
  const paths = socketPaths(config.diagnostics);
  const group = config.diagnostics?.group === false ? null : (config.diagnostics?.group ?? 'liftwatch');
  const agent = await new DiagnosticsClient(paths.socket, paths.readOnly, group).connect().catch(() => null);
  try {
    // 1-3: port, lifts, signals.
    const field = agent ? await fieldChecksViaAgent(agent, config) : await fieldChecksDirect(config, profiles);
    for (const s of field.steps) record(s);
    for (const lift of config.lifts) {
      const v = field.values.get(lift.id);
      const s = v ? plausibility(config, lift.id, v) : ({ step: 'signals-plausible', target: lift.id, status: 'skip', detail: 'no values read' } as StepResult);
      record(s);
    }
    // 4: clock.
    const clock = o.skip.includes('clock-synchronised') ? ({ step: 'clock-synchronised', status: 'skip', detail: 'skipped (--skip)' } as StepResult) : clockCheck();
    record(clock);
    // 5: broker, 6: round trip, then the retained report.
    // mqtt is loaded only here: it is the slowest module to load, and most commands never need it.
    const { connectBroker } = await import('./commission-broker.js');
    const broker = await connectBroker(config.uplink, timeoutMs);
    record(broker.step);
    const root = rootTopic(config.uplink.topicPrefix, config.site.id, config.gateway.id);
    let rt: StepResult;
    if (o.skip.includes('round-trip')) rt = { step: 'round-trip', status: 'skip', detail: 'skipped (--skip)' };
    else if (!broker.session) rt = { step: 'round-trip', status: 'skip', detail: 'broker not reachable' };
    else rt = await roundTrip(broker.session, agent, config, root, timeoutMs);
    record(rt);
    const report: CommissioningReport = {
      schema: 'liftwatch.commissioning/1',
      site: { id: config.site.id, name: config.site.name },
      gatewayId: config.gateway.id,
      version: version(),
      configFile: config.file,
      at: new Date().toISOString(),
      agentRunning: agent !== null,
      ok: steps.every((s) => s.status !== 'fail'),
      steps,
    };
    const files = writeReport(report, path.dirname(config.storage.path));
    if (broker.session) {
      await broker.session.client.publishAsync(`${root}/commissioning`, JSON.stringify(report), { qos: 1, retain: true });
      await broker.session.close();
    }
    if (out.json) out.printJson(report);
    else {
      out.print(`\n${report.ok ? out.paint.green('COMMISSIONED') : out.paint.red('NOT COMMISSIONED')}: ${steps.filter((s) => s.status === 'pass').length} passed, ${steps.filter((s) => s.status === 'fail').length} failed, ${steps.filter((s) => s.status === 'skip').length} skipped`);
      out.print(`report: ${files.json}\n        ${files.text}${broker.session ? `\npublished retained on ${root}/commissioning` : ''}`);
    }
    return report.ok ? CODE.OK : CODE.CHECK_FAILED;
  } finally {
    agent?.close();
  }
}

function line(s: StepResult, out: Out): string {
  const mark = s.status === 'pass' ? out.paint.green('PASS') : s.status === 'fail' ? out.paint.red('FAIL') : out.paint.dim('SKIP');
  return `${mark}  ${s.step}${s.target ? ` [${s.target}]` : ''}: ${s.detail}${s.fix ? `\n      what to do: ${s.fix}` : ''}`;
}

/** Agent running: it holds the port; its status and signals answer the field steps. */
async function fieldChecksViaAgent(agent: DiagnosticsClient, config: Config) {
  const status = await agent.request<StatusView>('status');
  const signals = await agent.request<SignalsView[]>('signals');
  const steps: StepResult[] = [];
  for (const b of status.buses) {
    steps.push(b.state === 'open' ? pass('port-opens', `open in the running agent (${b.opens} open(s), ${b.openFailures} failure(s))`, b.busId) : fail('port-opens', `the running agent cannot open bus ${b.busId} (${b.openFailures} failure(s))`, 'check the device path (ls -l /dev/serial/by-id) and journalctl -u liftwatch', b.busId));
  }
  const units = new Map(status.buses.flatMap((b) => b.units.map((u) => [u.liftId, u] as const)));
  const values = new Map<string, Record<string, unknown>>();
  for (const lift of config.lifts) {
    const u = units.get(lift.id);
    const sv = signals.find((x) => x.liftId === lift.id);
    if (u && u.ok > 0 && u.consecutiveFailures === 0) {
      steps.push(pass('lift-answers', `unit ${u.unitId}: ${u.ok}/${u.polls} polls answered, last rtt ${u.lastRttMs ?? '-'} ms`, lift.id));
      if (sv?.raw) values.set(lift.id, sv.raw);
    } else {
      steps.push(fail('lift-answers', `unit ${lift.unitId}: ${u ? `${u.ok}/${u.polls} polls answered, last error ${u.lastError ?? '-'}` : 'not polled'}`, `check the unit id set on the device (${lift.unitId}), A/B wiring and termination; stop the agent and run liftwatch probe`, lift.id));
    }
  }
  return { steps, values: values as Map<string, never> };
}

async function roundTrip(session: BrokerSession, agent: DiagnosticsClient | null, config: Config, root: string, timeoutMs: number): Promise<StepResult> {
  const { waitSeen } = await import('./commission-broker.js');
  const lift = config.lifts[0];
  if (agent && lift) {
    // The real chain: a TEST_CALL from the core, stored, published by the agent, and seen here.
    const topic = eventTopic(root, lift.id);
    await session.client.subscribeAsync(topic, { qos: 1 });
    try {
      const r = await agent.request<{ eventId: string; seq: number }>('test-alarm', { lift: lift.id, timeoutMs }, timeoutMs + 5000);
      const seen = await waitSeen(session, (m) => m.topic === topic && m.payload.includes(r.eventId), timeoutMs);
      return seen
        ? pass('round-trip', `TEST_CALL of lift ${lift.id} (seq ${r.seq}) committed, acknowledged by the broker and received on ${topic}`)
        : fail('round-trip', `TEST_CALL seq ${r.seq} was acknowledged but our subscription did not see it on ${topic}`, 'check the broker ACL: this user must be allowed to subscribe to its own topics');
    } catch (err) {
      const e = err as DiagnosticsError;
      const group = config.diagnostics?.group === false ? null : (config.diagnostics?.group ?? 'liftwatch');
      const fix = e.code === 'FORBIDDEN' || e.code === 'ACCESS_DENIED' ? `run commission as root, the service user${group ? `, or a member of group ${group}` : ''}` : 'check liftwatch status: is the uplink connected?';
      return fail('round-trip', `test-alarm: ${e.message}`, fix);
    }
  }
  // Agent stopped: a message of our own through the broker and back.
  const topic = `${root}/commissioning/test`;
  const nonce = Math.random().toString(36).slice(2);
  await session.client.subscribeAsync(topic, { qos: 1 });
  await session.client.publishAsync(topic, JSON.stringify({ schema: 'liftwatch.commissioning-test/1', nonce }), { qos: 1 });
  const seen = await waitSeen(session, (m) => m.topic === topic && m.payload.includes(nonce), timeoutMs);
  return seen
    ? pass('round-trip', `agent not running: a test message was published (PUBACK) and received back on ${topic}; run commission again with the agent running to send a TEST_CALL through the whole chain`)
    : fail('round-trip', `published on ${topic} but never received it back`, 'check the broker ACL: this user must be allowed to subscribe to its own topics');
}

function writeReport(r: CommissioningReport, dir: string): { json: string; text: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = r.at.replace(/[:.]/g, '-');
  const json = path.join(dir, `commissioning-${stamp}.json`);
  const text = path.join(dir, `commissioning-${stamp}.txt`);
  fs.writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  const lines = [
    `liftwatch commissioning report (${r.schema})`,
    `site ${r.site.id} "${r.site.name}", gateway ${r.gatewayId}, liftwatch ${r.version}`,
    `config ${r.configFile}; ${r.at}; agent ${r.agentRunning ? 'running' : 'stopped'}`,
    `RESULT: ${r.ok ? 'COMMISSIONED' : 'NOT COMMISSIONED'}`,
    '',
    ...r.steps.map((s) => `${s.status.toUpperCase().padEnd(4)}  ${s.step}${s.target ? ` [${s.target}]` : ''}: ${s.detail}${s.fix ? `\n      what to do: ${s.fix}` : ''}`),
    '',
  ];
  fs.writeFileSync(text, lines.join('\n'));
  return { json, text };
}

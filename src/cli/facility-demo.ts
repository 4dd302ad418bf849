/**
 * The facility side in the demo: subscribed to the demo's embedded broker, with a directory made
 * up for the simulated building and a local webhook sink that prints, readably, the texts tenants
 * would receive and the messages to the repairer and the operator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { FacilityConfig } from '../facility/config.js';
import { composeFacility, type Facility } from '../facility/compose.js';
import type { Directory, Language } from '../facility/directory-types.js';

const NAMES: Array<[string, Language]> = [['Rossi', 'it'], ['Huber', 'de'], ['Smith', 'en'], ['Bianchi', 'it'], ['Gruber', 'de'], ['Brown', 'en']];

export function demoDirectory(config: Config): Directory {
  const landings = [...new Set(config.lifts.flatMap((l) => l.landings))];
  return {
    sites: [{
      id: config.site.id,
      name: config.site.name,
      language: 'en',
      lifts: config.lifts.map((l) => ({ id: l.id, gateway: config.gateway.id, label: l.label ?? l.id, landings: l.landings })),
      tenants: landings.map((landing, i) => {
        const [name, language] = NAMES[i % NAMES.length]!;
        return { id: `t${i + 1}`, name: `${name} (landing ${landing})`, landing, language, sms: `+3900000000${String(i + 1).padStart(2, '0')}` };
      }),
      repairer: { name: 'Demo Lift Repairs', sms: '+390000009901', language: 'en' },
      operator: { name: 'Facility desk', sms: '+390000009902', language: 'en' },
    }],
  };
}

function printer(write: (line: string) => void): (body: string) => void {
  return (body) => {
    const m = JSON.parse(body) as { kind: string; to: { name: string }; text: string; case?: { code?: string; status?: string; lastLifecycle?: string } };
    const who = { tenant_out: 'text to tenant', tenant_back: 'text to tenant', repairer: 'to the repairer', operator: 'CALL the operator', crm: 'CRM case' }[m.kind] ?? m.kind;
    const text = m.kind === 'crm' ? `${m.case?.code ?? ''} ${m.case?.lastLifecycle ?? ''} (case ${m.case?.status ?? ''})` : m.text;
    write(`  facility ▸ ${who} ${m.kind === 'crm' ? '' : m.to.name + ': '}${text}`);
  };
}

export async function startFacilityDemo(config: Config, write: (line: string) => void): Promise<{ consoleUrl: string; stop(): Promise<void> }> {
  const print = printer(write);
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        print(body);
      } catch {
        /* the demo sink prints what it understands */
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const secret = randomBytes(16).toString('hex');
  const cfg: FacilityConfig = {
    file: '(demo)',
    mqtt: { url: config.uplink.url, clientId: `liftwatch-facility-demo-${process.pid}`, topicPrefixes: [config.uplink.topicPrefix] },
    store: path.join(path.dirname(path.resolve(config.storage.path)), 'facility-demo.db'),
    directory: '(demo)',
    webhooks: { messages: { url: hook, secret, timeoutMs: 2000 }, crm: { url: hook, secret, timeoutMs: 2000 } },
    rules: { tenantGroupMs: 5_000, ackTimeoutMs: 45_000, healthStaleMs: 5 * 60_000, testCallMaxMs: 3 * 86_400_000 + 6 * 3_600_000 },
    delivery: { claimMs: 180_000 },
    console: { host: '127.0.0.1', port: 8780 },
  };
  let facility: Facility = composeFacility(cfg, { directory: demoDirectory(config) });
  let started: { consoleUrl: string };
  try {
    started = await facility.start();
  } catch {
    // Port 8780 taken (another demo?): any free port will do for the demo's console.
    await facility.stop().catch(() => undefined);
    facility = composeFacility({ ...cfg, console: { ...cfg.console, port: 0 } }, { directory: demoDirectory(config) });
    started = await facility.start();
  }
  return {
    consoleUrl: started.consoleUrl,
    async stop() {
      await facility.stop();
      await new Promise<void>((r) => sink.close(() => r()));
    },
  };
}

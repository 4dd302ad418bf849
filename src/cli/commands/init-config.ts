/**
 * Turns the installer's answers into a config file (YAML with a header). Pure: the wizard
 * (./init.ts) asks or reads flags, this builds, `config check`'s loader validates before write.
 */
import { stringify } from 'yaml';

export interface LiftAnswer {
  id: string;
  unitId: number;
  profile: string;
  landings: string[];
  /** For I/O-module profiles: signal → input number (`!` prefix in flags = inverted contact). */
  wiring: Record<string, { input: number; invert?: boolean }>;
}

export interface InitAnswers {
  siteId: string;
  siteName: string;
  address?: string;
  gatewayId: string;
  port: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  lifts: LiftAnswer[];
  brokerUrl: string;
  username?: string;
  passwordFile?: string;
  caFile?: string;
  storagePath: string;
  socket?: string;
}

/** The usual retrofit wiring of a 16-input module (the order of config/demo.yaml). */
export const DEFAULT_WIRING: Record<string, number> = {
  safetyChain: 0,
  doorZone: 1,
  doorOpenLimit: 2,
  doorClosedLimit: 3,
  doorLocked: 4,
  moving: 5,
  alarmButton: 6,
  inspection: 7,
};

/** "A:1:generic-di-16:-1,0,1,2" → lift A, unit 1, profile, landings. */
export function parseLiftSpec(spec: string): LiftAnswer | string {
  const m = /^([A-Za-z0-9_-]+):(\d+):([^:]+):(.+)$/.exec(spec);
  if (!m) return `expected ID:UNIT:PROFILE:LANDINGS like A:1:generic-di-16:-1,0,1,2, got ${JSON.stringify(spec)}`;
  return { id: m[1] as string, unitId: Number(m[2]), profile: m[3] as string, landings: (m[4] as string).split(',').map((s) => s.trim()), wiring: {} };
}

/** "A:safetyChain=0,alarmButton=!6" → lift A's wiring ("!" = inverted contact). */
export function parseWiringSpec(spec: string): { liftId: string; wiring: LiftAnswer['wiring'] } | string {
  const m = /^([A-Za-z0-9_-]+):(.+)$/.exec(spec);
  if (!m) return `expected LIFT:signal=input,... like A:safetyChain=0,alarmButton=!6, got ${JSON.stringify(spec)}`;
  const wiring: LiftAnswer['wiring'] = {};
  for (const part of (m[2] as string).split(',')) {
    const w = /^\s*([A-Za-z]+)\s*=\s*(!?)(\d+)\s*$/.exec(part);
    if (!w) return `expected signal=input (or signal=!input for an inverted contact), got ${JSON.stringify(part)}`;
    wiring[w[1] as string] = { input: Number(w[3]), ...(w[2] ? { invert: true } : {}) };
  }
  return { liftId: m[1] as string, wiring };
}

export function configYaml(a: InitAnswers, now: Date): string {
  const doc: Record<string, unknown> = {
    site: { id: a.siteId, name: a.siteName, ...(a.address ? { address: a.address } : {}) },
    gateway: { id: a.gatewayId },
    buses: [{ id: 'rs485', type: 'modbus-rtu', port: a.port, baudRate: a.baudRate, parity: a.parity, timeoutMs: 500, retries: 1, interFrameGapMs: 5 }],
    lifts: a.lifts.map((l) => ({
      id: l.id,
      label: `Lift ${l.id}`,
      bus: 'rs485',
      unitId: l.unitId,
      profile: l.profile,
      landings: l.landings,
      pollIntervalMs: 250,
      ...(Object.keys(l.wiring).length ? { signals: l.wiring } : {}),
    })),
    uplink: {
      url: a.brokerUrl,
      ...(a.username ? { username: a.username } : {}),
      ...(a.passwordFile ? { passwordFile: a.passwordFile } : {}),
      ...(a.caFile ? { tls: { ca: a.caFile, rejectUnauthorized: true } } : {}),
    },
    storage: { path: a.storagePath },
    ...(a.socket ? { diagnostics: { socket: a.socket } } : {}),
  };
  const header = [
    '# yaml-language-server: $schema=/usr/lib/liftwatch/config/schema.json',
    `# Written by \`liftwatch init\` on ${now.toISOString()}. Every key is documented in config/schema.json.`,
    '# Check it with `liftwatch config check`, then `liftwatch commission` on site.',
    '',
  ].join('\n');
  return header + stringify(doc, { lineWidth: 120, flowCollectionPadding: false });
}

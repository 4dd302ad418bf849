import type { Config, LiftConfig } from '../config/types.js';

/** What every message about a lift must carry: who, where, and whose tenants to inform. */
export interface LiftContext {
  site: { id: string; name: string };
  gatewayId: string;
  lift: { id: string; label: string; landings: string[] };
}

export function liftContexts(config: Config): Map<string, LiftContext> {
  const m = new Map<string, LiftContext>();
  for (const l of config.lifts) m.set(l.id, contextOf(config, l));
  return m;
}

function contextOf(config: Config, l: LiftConfig): LiftContext {
  return {
    site: { id: config.site.id, name: config.site.name },
    gatewayId: config.gateway.id,
    lift: { id: l.id, label: l.label, landings: [...l.landings] },
  };
}

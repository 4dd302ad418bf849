/**
 * Loads the directory (sites, lifts, landings, tenants, repairer, operator) from YAML, with tenant
 * lists optionally imported from CSV. Checked like the agent's configuration: a bad entry stops
 * the service before it starts, named with its file, its path and what was expected.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { firstError, problem, readCheckedYaml, where } from './checked-file.js';
import { FacilityFileError } from './errors.js';
import type { Directory, DirectorySite, Language, Tenant } from './directory-types.js';


const LANGUAGES = ['en', 'it', 'de'];
const contact = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    sms: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' },
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
    language: { enum: LANGUAGES },
  },
  anyOf: [{ required: ['sms'] }, { required: ['email'] }],
};
const tenant = {
  ...contact,
  required: ['id', 'name', 'landing'],
  properties: { ...contact.properties, id: { type: 'string', minLength: 1 }, landing: { type: 'string', minLength: 1 } },
};
const SCHEMA = {
  type: 'object',
  required: ['sites'],
  additionalProperties: false,
  properties: {
    sites: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'name', 'lifts', 'repairer', 'operator'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
          name: { type: 'string', minLength: 1 },
          language: { enum: LANGUAGES },
          repairer: contact,
          operator: contact,
          lifts: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['id', 'gateway', 'landings'],
              additionalProperties: false,
              properties: {
                id: { type: 'string', minLength: 1 },
                gateway: { type: 'string', minLength: 1 },
                label: { type: 'string' },
                landings: { type: 'array', minItems: 2, items: { type: 'string', minLength: 1 } },
              },
            },
          },
          tenants: { type: 'array', items: tenant },
          tenantsCsv: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

type RawSite = Omit<DirectorySite, 'language' | 'tenants' | 'repairer' | 'operator'> & {
  language?: Language;
  tenants?: Array<Omit<Tenant, 'language'> & { language?: Language }>;
  tenantsCsv?: string;
  repairer: DirectorySite['repairer'] | Omit<DirectorySite['repairer'], 'language'>;
  operator: DirectorySite['operator'] | Omit<DirectorySite['operator'], 'language'>;
};

const validate = new Ajv({ allErrors: false, strict: false }).compile<{ sites: RawSite[] }>(SCHEMA);

/** Reads a tenant CSV (columns id,name,landing,sms,email,language; a header row names them). */
export function readTenantCsv(file: string): Array<Record<string, string>> {
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')));
}

export function loadDirectory(file: string): Directory {
  const raw = readCheckedYaml(file, validate);
  const sites = raw.sites.map((s, i): DirectorySite => {
    const language = s.language ?? 'en';
    let tenants = s.tenants ?? [];
    if (s.tenantsCsv !== undefined) {
      const csvFile = path.resolve(path.dirname(file), s.tenantsCsv);
      const rows = readTenantCsv(csvFile);
      const check = new Ajv({ strict: false }).compile(tenant);
      rows.forEach((r, n) => {
        if (check(r)) return;
        const e = firstError(check.errors!);
        throw new FacilityFileError(csvFile, `row ${n + 2}${e.instancePath === '' ? '' : '.' + where(e.instancePath)}`, problem(e));
      });
      tenants = [...tenants, ...(rows as unknown as Tenant[])];
    }
    const liftIds = new Set<string>();
    s.lifts.forEach((l, j) => {
      if (liftIds.has(l.id)) throw new FacilityFileError(file, `sites[${i}].lifts[${j}].id`, `a lift id used once per site, got "${l.id}" twice`);
      liftIds.add(l.id);
    });
    const landings = new Set(s.lifts.flatMap((l) => l.landings));
    const tenantIds = new Set<string>();
    tenants.forEach((t, j) => {
      if (!landings.has(t.landing)) throw new FacilityFileError(file, `sites[${i}].tenants[${j}].landing`, `a landing one of the site's lifts serves (${[...landings].join(', ')}), got "${t.landing}"`);
      if (tenantIds.has(t.id)) throw new FacilityFileError(file, `sites[${i}].tenants[${j}].id`, `a tenant id used once per site, got "${t.id}" twice`);
      tenantIds.add(t.id);
    });
    return {
      id: s.id,
      name: s.name,
      language,
      lifts: s.lifts,
      tenants: tenants.map((t) => ({ ...t, language: t.language ?? language })),
      repairer: { language, ...s.repairer },
      operator: { language, ...s.operator },
    };
  });
  const ids = new Set<string>();
  sites.forEach((s, i) => {
    if (ids.has(s.id)) throw new FacilityFileError(file, `sites[${i}].id`, `a site id used once, got "${s.id}" twice`);
    ids.add(s.id);
  });
  return { sites };
}

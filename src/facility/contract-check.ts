/**
 * Checks a received payload against the published JSON Schemas (docs/schemas), so a message that
 * does not follow the contract is counted and named instead of reaching a case. The schemas are
 * exact for the release they ship with; a receiver must ignore fields a newer gateway added
 * (docs/mqtt-api.md), so `additionalProperties: false` is relaxed when they are loaded here.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

export type MessageKind = 'event' | 'status' | 'health' | 'data_gap';

const FILES: Record<MessageKind, string> = {
  event: 'event.schema.json',
  status: 'status.schema.json',
  health: 'health.schema.json',
  data_gap: 'data-gap.schema.json',
};

/** docs/schemas of this package, from dist/src/facility or src/facility alike. */
const SCHEMA_DIR = new URL('../../../docs/schemas/', import.meta.url);
const SCHEMA_DIR_SRC = new URL('../../docs/schemas/', import.meta.url);

function tolerant(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tolerant);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = tolerant(v);
  }
  return out;
}

function readSchema(file: string): object {
  for (const dir of [SCHEMA_DIR, SCHEMA_DIR_SRC]) {
    try {
      return tolerant(JSON.parse(readFileSync(new URL(file, dir), 'utf8'))) as object;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`the contract schema ${file} was not found beside the program (docs/schemas)`);
}

export type CheckResult = { ok: true; value: unknown } | { ok: false; problem: string };

export class ContractCheck {
  private readonly validators: Record<MessageKind, ValidateFunction>;

  constructor() {
    const ajv = new Ajv({ allErrors: false, strict: false });
    this.validators = Object.fromEntries(
      (Object.keys(FILES) as MessageKind[]).map((k) => [k, ajv.compile(readSchema(FILES[k]))]),
    ) as Record<MessageKind, ValidateFunction>;
  }

  /** Parses and checks one payload of the given kind; the problem names the field and what was expected. */
  check(kind: MessageKind, payload: Buffer | string): CheckResult {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString());
    } catch {
      return { ok: false, problem: `not JSON (${payload.length} bytes)` };
    }
    const validate = this.validators[kind];
    if (validate(value)) return { ok: true, value };
    const e = validate.errors?.[0];
    const where = e?.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(message)';
    return { ok: false, problem: `${where}: ${e?.message ?? 'does not follow the schema'}` };
  }
}

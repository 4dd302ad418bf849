/**
 * Reads one of the facility's YAML files and checks it against its schema: the first problem is
 * named with the file, the path inside it and what was expected.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { FacilityFileError } from './errors.js';

/** `sites/0/tenants/1/sms` → `sites[0].tenants[1].sms`; the document itself is `(top)`. */
export function where(instancePath: string): string {
  return instancePath === '' ? '(top)' : instancePath.slice(1).replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
}

/** The error to show: a missing contact is one problem (anyOf), not "sms missing". */
export function firstError(errors: ErrorObject[]): ErrorObject {
  return errors.find((e) => e.keyword === 'anyOf') ?? errors[0]!;
}

export function problem(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown key "${String(e.params['additionalProperty'])}"`;
  if (e.keyword === 'anyOf') return 'expected an sms number or an email address';
  return `expected: ${e.message ?? 'a different value'}`;
}

export function readCheckedYaml<T>(file: string, validate: ValidateFunction<T>): T {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FacilityFileError(file, '(file)', `expected a readable YAML file: ${(err as Error).message}`);
  }
  if (validate(raw)) return raw;
  const e = firstError(validate.errors ?? []);
  throw new FacilityFileError(file, where(e.instancePath), problem(e));
}

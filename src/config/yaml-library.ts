/**
 * The yaml package, loaded when a file is first parsed and released once the agent has read its
 * files (src/platform/released-packages.ts): a running agent never parses YAML again, and the
 * package's scripts cost about 0.8 MB of V8 heap after a full GC (yaml 2.9, Node 20).
 */
import type * as Yaml from 'yaml';
import { releasePackage, requirePackage } from '../platform/released-packages.js';

let loaded: typeof Yaml | null = null;

export function yamlLibrary(): typeof Yaml {
  loaded ??= requirePackage<typeof Yaml>('yaml');
  return loaded;
}

/** Lets the package go; the next parse loads it again. */
export function releaseYamlLibrary(): void {
  if (loaded === null) return;
  loaded = null;
  releasePackage('yaml');
}

/**
 * The yaml package, loaded when a file is first parsed and released once the agent has read its
 * files (src/platform/released-packages.ts): a running agent never parses YAML again, and the
 * package's scripts cost about 0.8 MB of V8 heap after a full GC (yaml 2.9, Node 20).
 */
import type * as Yaml from 'yaml';
import { releasePackage, requirePackage } from '../platform/released-packages.js';

/** The package, from the require cache after the first call. */
export function yamlLibrary(): typeof Yaml {
  return requirePackage<typeof Yaml>('yaml');
}

/** Lets the package go; the next parse loads it again. */
export function releaseYamlLibrary(): void {
  releasePackage('yaml');
}

/**
 * Packages a process needs only while it starts (the YAML parser, the command-line parser), so
 * that they can be let go once it has started. A static import keeps a package's scripts, with
 * their source text and bytecode, for the life of the process: ES modules are never unloaded.
 * Required here instead, through a createRequire of its own, no cached module lists them among
 * its children; dropped from the require cache, nothing holds them and the next full GC frees
 * them. A later require in the same process (a test, a CLI command) loads the package afresh.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const fromHere = createRequire(import.meta.url);

/** `name`'s CommonJS entry point, loaded (or taken from the require cache). */
export function requirePackage<T>(name: string): T {
  return fromHere(name) as T;
}

/** Drops every module of package `name` from the require cache; a no-op when none is loaded. */
export function releasePackage(name: string): void {
  const entry = fromHere.resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) return; // not an installed package: nothing to drop
  const root = entry.slice(0, at + marker.length);
  for (const id of Object.keys(fromHere.cache)) if (id.startsWith(root)) delete fromHere.cache[id];
}

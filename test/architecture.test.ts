/**
 * The import graph of src, read from the sources: every arrow points down the layers below,
 * no module imports itself round a cycle, the core does no I/O, and the facility side depends
 * on nothing of the gateway. A layering that erodes one convenient import at a time is caught
 * here, at the import that breaks it, with the file named.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Bottom first. A folder may import only folders of a lower rank (and itself). */
const RANK: Record<string, number> = {
  core: 0, // the pure fault engine
  protocol: 1, // wire formats: CRC-16, RTU and MBAP framing, serial frame codecs
  ports: 2, // every interface an adapter implements: clock, ids, logger, outbox, uplink, links
  platform: 3, // adapters to the operating system: clock, ids, logger, systemd
  config: 4, // the YAML config and device profiles
  field: 5, // reading the controller
  store: 5, // the SQLite outbox and usage store
  sim: 5, // the controller simulator
  uplink: 6, // MQTT
  broker: 6, // the embedded broker
  schedule: 6, // scheduled jobs
  diagnostics: 7, // the technician's socket
  agent: 8, // composition: field -> core -> store -> uplink, with the side doors
  preflight: 9, // start checks
  cli: 10, // the liftwatch command
};
/** The facility side is its own room: it imports only itself, and only the CLI imports it. */
const ROOM = 'facility';

interface Import {
  from: string;
  to: string;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s+[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/gm;

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const to = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    out.push({ from: file, to });
  }
  return out;
}

const files = sources(src);
const imports = files.flatMap(importsOf);
const folder = (f: string): string => path.relative(src, f).split(path.sep)[0]!;
const rel = (f: string): string => path.relative(src, f);

void t.test('the sources were read (a wrong root would pass every check below)', async (t) => {
  t.ok(files.length > 100, `${files.length} modules`);
  t.ok(imports.length > 300, `${imports.length} relative imports`);
  t.ok(imports.every((i) => fs.existsSync(i.to)), 'every import resolves to a source file');
});

void t.test('every folder of src has a place in the layers', async (t) => {
  const folders = fs.readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  t.same(folders.filter((f) => RANK[f] === undefined && f !== ROOM), [], 'folders without a rank');
});

void t.test('every import between folders points down', async (t) => {
  const up = imports
    .filter((i) => folder(i.from) !== folder(i.to))
    .filter((i) => {
      const a = folder(i.from);
      const b = folder(i.to);
      if (a === ROOM || b === ROOM) return !(a === 'cli' && b === ROOM);
      return !(RANK[a]! > RANK[b]!);
    })
    .map((i) => `${rel(i.from)} -> ${rel(i.to)}`);
  t.same(up, [], 'imports that point up, sideways or across the facility wall');
});

void t.test('no module reaches itself through its imports', async (t) => {
  // Tarjan's strongly connected components over every import, types included: a type-only
  // cycle is erased at run time but still ties two modules together for a reader.
  const next = new Map<string, string[]>();
  for (const i of imports) next.set(i.from, [...(next.get(i.from) ?? []), i.to]);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(rel(w));
      } while (w !== v);
      if (comp.length > 1) cycles.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  t.same(cycles, [], 'import cycles');
});

void t.test('the core imports no Node module and no library: no I/O, no clock of its own', async (t) => {
  const bare = /^\s*import\s+[^;]*?from\s+'([^.][^']*)'/gm;
  const found = files
    .filter((f) => folder(f) === 'core')
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(bare)].map((m) => `${rel(f)}: ${m[1]}`));
  t.same(found, [], 'non-relative imports in src/core');
  const clocks = files
    .filter((f) => folder(f) === 'core')
    .filter((f) => /\bDate\.now\(|new Date\(\)|setTimeout\(|setInterval\(|Math\.random\(/.test(fs.readFileSync(f, 'utf8')))
    .map(rel);
  t.same(clocks, [], 'src/core reads no clock and draws no randomness');
});

void t.test('outside the platform adapters, time and ids come only through the Clock and IdSource ports', async (t) => {
  // Exempt, each for a reason: ports declares them and platform implements them; the CLI, its diagnostics client
  // and the start checks run before or beside an agent, never inside its data path; the
  // simulator stands for a controller; the facility side is its own program.
  const exempt = (f: string): boolean =>
    ['ports', 'platform', 'cli', 'sim', 'preflight', ROOM].includes(folder(f)) || rel(f) === path.join('diagnostics', 'client.ts');
  const raw = /(?<![.\w])(setTimeout|setInterval)\(|Date\.now\(|performance\.now\(|newUuidV7\(/;
  const found = files
    .filter((f) => !exempt(f))
    .flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
        .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && raw.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
  t.same(found, [], 'raw timers, clocks or id makers');
});

void t.test('the port interfaces live in src/ports, and nowhere else', async (t) => {
  const PORTS = ['Clock', 'Logger', 'Outbox', 'UplinkPort', 'UplinkLifecycle', 'ModbusLink', 'ByteStream'];
  const decl = new RegExp(`^export (interface|type) (${PORTS.join('|')})\\b`, 'm');
  const outside = files.filter((f) => folder(f) !== 'ports' && decl.test(fs.readFileSync(f, 'utf8'))).map(rel);
  t.same(outside, [], 'port interfaces declared outside src/ports');
  const inside = files.filter((f) => folder(f) === 'ports').map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  for (const p of PORTS) t.match(inside, new RegExp(`export (interface|type) ${p}\\b`), `${p} is in src/ports`);
});

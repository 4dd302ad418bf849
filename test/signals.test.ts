/**
 * The canonical signals are the vocabulary between the wiring and the fault rules. A signal the
 * core reads that a profile or a config cannot name is an alarm no installer can wire; a name the
 * schemas accept that the core does not know is a wire that silently does nothing.
 */
import t from 'tap';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BOOLEAN_SIGNALS, DIRECTIONS, isBooleanSignal, isSignalName, NUMERIC_SIGNALS, SIGNAL_NAMES } from '../src/core/signals.js';

const schema = (rel: string): unknown => JSON.parse(fs.readFileSync(fileURLToPath(new URL(`../../${rel}`, import.meta.url)), 'utf8'));

/** Every list or object key set in a schema that names the signals (found by holding safetyChain). */
function signalLists(node: unknown, at: string, out: Array<{ at: string; names: string[] }>): typeof out {
  if (Array.isArray(node)) {
    if (node.includes('safetyChain')) out.push({ at, names: node as string[] });
    node.forEach((v, i) => signalLists(v, `${at}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    if ('safetyChain' in node) out.push({ at, names: Object.keys(node) });
    for (const [k, v] of Object.entries(node)) signalLists(v, `${at}.${k}`, out);
  }
  return out;
}

void t.test('the names: camelCase, no duplicates, booleans and numbers apart', async (t) => {
  for (const n of SIGNAL_NAMES) t.ok(isSignalName(n), `${n} is a signal name`);
  for (const n of ['safety_chain', 'SafetyChain', 'floors', '', 'toString', '__proto__']) t.notOk(isSignalName(n), `"${n}" is not`);
  t.equal(new Set(SIGNAL_NAMES).size, SIGNAL_NAMES.length, 'no duplicate names');
  t.same([...BOOLEAN_SIGNALS, ...NUMERIC_SIGNALS, 'direction'].sort(), [...SIGNAL_NAMES].sort(), 'booleans, numbers and direction are all the signals');
  for (const n of BOOLEAN_SIGNALS) t.ok(isBooleanSignal(n), `${n} is boolean`);
  for (const n of [...NUMERIC_SIGNALS, 'direction']) t.notOk(isBooleanSignal(n), `${n} is not boolean`);
  t.same([...DIRECTIONS], ['none', 'up', 'down']);
});

for (const file of ['devices/schema.json', 'config/schema.json']) {
  void t.test(`${file} names exactly the signals the core reads, wherever it names signals`, async (t) => {
    const lists = signalLists(schema(file), '', []);
    t.ok(lists.length >= 2, `${lists.length} places name signals`);
    for (const { at, names } of lists) t.same([...names].sort(), [...SIGNAL_NAMES].sort(), `${file}${at}`);
  });
}

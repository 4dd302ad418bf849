import t from 'tap';
import { isSignalName, SIGNAL_NAMES, BOOLEAN_SIGNALS } from '../src/core/signals.js';

void t.test('canonical signal names', async (t) => {
  t.ok(isSignalName('safetyChain'));
  t.ok(isSignalName('floor'));
  t.ok(isSignalName('direction'));
  t.notOk(isSignalName('safety_chain'), 'names are camelCase, not snake_case');
  t.equal(new Set(SIGNAL_NAMES).size, SIGNAL_NAMES.length, 'no duplicate names');
  t.ok(BOOLEAN_SIGNALS.length >= 16);
});

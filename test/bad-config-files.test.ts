// The bad-configuration corpus, the file itself: YAML, size, text, nesting, aliases
// (./bad-config-cases.ts, run by ./helpers/corpus.ts): exit codes of config check and run, the
// message naming the file, the path inside it and what was expected, nothing left behind.
import t from 'tap';
import { FILE_CASES } from './bad-config-cases.js';
import { runCorpus } from './helpers/corpus.js';

void t.test('every case: exit codes, the message, nothing left behind', async (t) => {
  await runCorpus(t, FILE_CASES);
});

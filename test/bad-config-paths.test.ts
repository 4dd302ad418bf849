// The bad-configuration corpus, what run would trip on: the paths it creates and writes
// (./bad-config-cases.ts, run by ./helpers/corpus.ts): exit codes of config check and run, the
// message naming the file, the path inside it and what was expected, nothing left behind.
import t from 'tap';
import { ENVIRONMENT_CASES } from './bad-config-cases.js';
import { runCorpus } from './helpers/corpus.js';

void t.test('every case: exit codes, the message, nothing left behind', async (t) => {
  await runCorpus(t, ENVIRONMENT_CASES);
});

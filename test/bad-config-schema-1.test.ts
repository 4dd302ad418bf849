// The bad-configuration corpus, what the schema and the loader refuse (first half)
// (./bad-config-cases.ts, run by ./helpers/corpus.ts): exit codes of config check and run, the
// message naming the file, the path inside it and what was expected, nothing left behind.
import t from 'tap';
import { BAD_CASES, SCHEMA_CASES } from './bad-config-cases.js';
import { runCorpus } from './helpers/corpus.js';

void t.test(`the corpus has at least 60 cases (${BAD_CASES.length})`, async (t) => {
  t.ok(BAD_CASES.length >= 60);
  t.equal(new Set(BAD_CASES.map((c) => c.name)).size, BAD_CASES.length, 'every name once');
});

void t.test('every case: exit codes, the message, nothing left behind', async (t) => {
  await runCorpus(t, SCHEMA_CASES.slice(0, 19));
});

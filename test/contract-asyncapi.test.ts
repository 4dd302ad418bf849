/**
 * Integrators feed docs/asyncapi.yaml to AsyncAPI tools (generators, Studio, validators): the
 * official parser must accept it with no error and no warning. A flow mapping with a comma in
 * an unquoted description once split into stray keys, and request/response messages did not
 * follow the 2.6 message object; the parser refused the document with 15 errors.
 */
import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile } from '@asyncapi/parser';

const doc = fileURLToPath(new URL('../../docs/asyncapi.yaml', import.meta.url));
// DiagnosticSeverity of the parser (Spectral): 0 error, 1 warning, 2 information, 3 hint.
const ERROR = 0;
const WARNING = 1;

void t.test('the official AsyncAPI parser accepts docs/asyncapi.yaml with no error and no warning', async (t) => {
  const { document, diagnostics } = await fromFile(new Parser(), doc).parse();
  const shown = (severity: number): string[] =>
    diagnostics.filter((d) => Number(d.severity) === severity).map((d) => `${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`);
  t.same(shown(ERROR), [], 'errors');
  t.same(shown(WARNING), [], 'warnings');
  t.ok(document, 'a document was produced');
  // What an integrator's generator reads: every message with its id and a payload schema
  // resolved from docs/schemas (a broken $ref would leave it empty).
  const messages = document?.allMessages().all() ?? [];
  t.same(messages.map((m) => m.id()).sort(), ['dataGap', 'event', 'health', 'request', 'response', 'state', 'status'], 'the messages, by id');
  for (const m of messages) t.ok(m.payload()?.type() === 'object', `${m.id()}: payload schema resolved (${path.basename(doc)})`);
});

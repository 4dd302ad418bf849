// URL passwords hidden by both copies of the rule: the gateway's (src/platform/redact.ts) and the
// facility's own (src/facility/redact-url.ts, a copy because the facility imports nothing of the
// gateway side). Each case runs through both, so a regression in either, or the two drifting
// apart, fails here and not only through a log line that happens to show a URL.
import t from 'tap';
import { hideUrlPassword, hideUrlPasswords } from '../src/facility/redact-url.js';
import { redactText, redactUrlValue } from '../src/platform/redact.js';

const IN_TEXT: Array<[string, string]> = [
  ['connect postgres://app:s3cret@db:5432/lw failed', 'connect postgres://app:HIDDEN@db:5432/lw failed'],
  ['"mqtts://u:p%40ss@broker:8883" and mqtt://v:w@h', '"mqtts://u:HIDDEN@broker:8883" and mqtt://v:HIDDEN@h'],
  ['no password: postgres://app@db/lw', 'no password: postgres://app@db/lw'],
  ['not a url: user:pass@host', 'not a url: user:pass@host'],
];
const WHOLE_VALUE: Array<[string, string]> = [
  ['postgres://app:pa ss@wo:rd@db/lw', 'postgres://app:HIDDEN@db/lw'],
  ['postgresql://app:x@db', 'postgresql://app:HIDDEN@db'],
  ['postgres://app@db/lw', 'postgres://app@db/lw'],
  ['/var/lib/facility.db', '/var/lib/facility.db'],
];

void t.test('a password inside running text is hidden by both copies, and nothing else is touched', async (t) => {
  for (const [input, want] of IN_TEXT) {
    t.equal(redactText(input), want, `gateway: ${want}`);
    t.equal(hideUrlPasswords(input), want, `facility: ${want}`);
  }
});

void t.test('a value that is one URL loses everything between user: and the last @, by both copies', async (t) => {
  for (const [input, want] of WHOLE_VALUE) {
    t.equal(redactUrlValue(input), want, `gateway: ${want}`);
    t.equal(hideUrlPassword(input), want, `facility: ${want}`);
  }
});

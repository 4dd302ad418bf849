/**
 * Logging: JSON lines for journald, readable lines on a terminal, a namespace per
 * module with a level per namespace prefix, and secrets printed as HIDDEN (zigbee2mqtt's
 * convention) at any depth and inside URLs.
 */
import t from 'tap';
import { PinoLogger, levelFor, prettyLine, redactSecrets } from '../src/platform/logger.js';

function capture(opts: ConstructorParameters<typeof PinoLogger>[0] = {}): { logger: PinoLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new PinoLogger({ pretty: false, ...opts, write: (s) => lines.push(...s.split('\n').filter(Boolean)) }), lines };
}

void t.test('one JSON object per line with time, level, namespace and message', async (t) => {
  const { logger, lines } = capture();
  logger.child('uplink').info('connected to the MQTT broker', { connects: 1 });
  t.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.equal(rec['level'], 'info');
  t.equal(rec['ns'], 'liftwatch:uplink');
  t.equal(rec['msg'], 'connected to the MQTT broker');
  t.equal(rec['connects'], 1);
  t.match(rec['time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.notOk('pid' in rec || 'hostname' in rec, 'journald knows the pid and host');
});

void t.test('namespaces nest and levels apply per namespace prefix, longest match wins', async (t) => {
  const { logger, lines } = capture({ level: 'warn', levels: { agent: 'info', 'agent:bus': 'debug', 'agent:bus:noisy': 'error', uplink: 'silent' } });
  const agent = logger.child('agent');
  agent.debug('agent debug (dropped)');
  agent.info('agent info');
  const bus = agent.child('bus').child('field');
  bus.debug('bus debug');
  agent.child('bus').child('noisy').warn('noisy warn (dropped)');
  logger.child('uplink').error('uplink error (silent)');
  logger.child('store').info('store info (dropped at warn)');
  logger.child('store').warn('store warn');
  const got = lines.map((l) => JSON.parse(l) as { ns: string; msg: string });
  t.same(got.map((r) => [r.ns, r.msg]), [
    ['liftwatch:agent', 'agent info'],
    ['liftwatch:agent:bus:field', 'bus debug'],
    ['liftwatch:store', 'store warn'],
  ]);
  t.equal(levelFor('agent:busy', 'info', { 'agent:bus': 'debug' }), 'info', 'a prefix matches whole segments only');
});

void t.test('secrets are HIDDEN at any depth and in URLs', async (t) => {
  const { logger, lines } = capture();
  logger.warn('connecting', {
    password: 'hunter2',
    uplink: { url: 'mqtts://gw:s3cret@broker.example:8883', username: 'gw', passwordFile: '/etc/liftwatch/mqtt.pass', tls: { key: 'PEM', ca: '/ca.pem' } },
    token: 'abc',
    apiKey: 'k',
    list: [{ secret: 'x' }],
    monkey: 'not a secret',
  });
  const text = lines.join('\n');
  for (const secret of ['hunter2', 's3cret', 'abc"', 'PEM', '"k"', '"x"']) t.notMatch(text, secret, `${secret} not printed`);
  const rec = JSON.parse(lines[0]!) as { uplink: { url: string; username: string; passwordFile: string; tls: { key: string; ca: string } }; monkey: string };
  t.equal(rec.uplink.url, 'mqtts://gw:HIDDEN@broker.example:8883');
  t.equal(rec.uplink.username, 'gw', 'user names are not secrets');
  t.equal(rec.uplink.passwordFile, '/etc/liftwatch/mqtt.pass', 'a path to a secret is not the secret');
  t.equal(rec.uplink.tls.key, 'HIDDEN');
  t.equal(rec.uplink.tls.ca, '/ca.pem');
  t.equal(rec.monkey, 'not a secret');
  t.same(redactSecrets(new Error('mqtt://a:b@h failed')), { type: 'Error', message: 'mqtt://a:HIDDEN@h failed', code: undefined });
});

void t.test('readable lines on a terminal', async (t) => {
  const { logger, lines } = capture({ pretty: true });
  logger.child('agent').warn('bus cannot be opened, retrying', { bus: 'rs485', attempts: 3, password: 'p' });
  t.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[liftwatch:agent\] bus cannot be opened, retrying bus=rs485 attempts=3 password=HIDDEN$/);
  t.equal(prettyLine('not json'), 'not json');
});

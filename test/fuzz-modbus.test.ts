/**
 * Two failures of other gateways' Modbus pollers (a poller that freezes after a timeout or an
 * exception; memory leaks in long-running Modbus polling: docs/taxonomy.md, "Field failures the
 * tests guard against"): a raw TCP peer answers the real ModbusSerialLink (RTU framing
 * over TCP, modbus-serial's parser) with at least 100,000 faulty frames: garbled bytes,
 * truncated frames, bad CRCs, answers from the wrong unit and exception responses, mixed with
 * good answers. No crash, no stall (every read settles, and good answers read fine at the
 * end), no memory growth, and every read counted by its outcome.
 */
import t from 'tap';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ModbusSerialLink } from '../src/field/modbus-serial-link.js';
import { classify, type FieldErrorCode } from '../src/field/errors.js';
import { encodeRtu } from '../src/protocol/modbus/rtu-framer.js';
import type { TcpBusConfig } from '../src/config/types.js';

const FAULTY_FRAMES = Number(process.env['LIFTWATCH_FUZZ_FRAMES'] ?? 100_000);
const UNIT = 7;
const COUNT = 4;
const KINDS = ['garbled', 'truncated', 'badCrc', 'wrongUnit', 'exception'] as const;
type Kind = (typeof KINDS)[number];

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function goodAnswer(unit: number, values: number[]): Buffer {
  const pdu = Buffer.alloc(2 + values.length * 2);
  pdu[0] = 0x03;
  pdu[1] = values.length * 2;
  values.forEach((v, i) => pdu.writeUInt16BE(v, 2 + i * 2));
  return encodeRtu(unit, pdu);
}

function faulty(kind: Kind, r: () => number): Buffer {
  const good = goodAnswer(UNIT, [1, 2, 3, 4]);
  switch (kind) {
    case 'garbled': {
      const b = Buffer.alloc(1 + Math.floor(r() * 24));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
      return b;
    }
    case 'truncated':
      return good.subarray(0, 1 + Math.floor(r() * (good.length - 1)));
    case 'badCrc': {
      const b = Buffer.from(good);
      b[b.length - 1]! ^= 0x5a;
      return b;
    }
    case 'wrongUnit':
      return goodAnswer(UNIT + 1, [9, 9, 9, 9]);
    case 'exception':
      return encodeRtu(UNIT, Buffer.from([0x83, 1 + Math.floor(r() * 4)]));
  }
}

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

void t.test(`${FAULTY_FRAMES} faulty frames through the field layer`, async (t) => {
  const r = rng(6);
  const sent: Record<Kind, number> = { garbled: 0, truncated: 0, badCrc: 0, wrongUnit: 0, exception: 0 };
  let faultyTotal = 0;
  let goodMode = false; // at the end: good answers only
  // Per request, in order (one read at a time): whether the peer sent a good answer for it. A
  // read that succeeds without one accepted a faulty frame (a wrong unit's, a truncated one).
  const answeredGood: boolean[] = [];
  const server = net.createServer((sock) => {
    let pending = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 8) {
        pending = pending.subarray(8); // one read-holding-registers request
        if (goodMode) {
          answeredGood.push(true);
          sock.write(goodAnswer(UNIT, [1, 2, 3, 4]));
          continue;
        }
        // Three to ten faulty frames, then usually a closing frame so the read settles
        // quickly (a good answer or an exception); sometimes nothing, and it times out.
        const n = 3 + Math.floor(r() * 8);
        const parts: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          const kind = KINDS[Math.floor(r() * KINDS.length)]!;
          sent[kind]++;
          faultyTotal++;
          parts.push(faulty(kind, r));
        }
        const close = r();
        answeredGood.push(close < 0.6);
        if (close < 0.6) parts.push(goodAnswer(UNIT, [1, 2, 3, 4]));
        else if (close < 0.97) {
          sent.exception++;
          faultyTotal++;
          parts.push(encodeRtu(UNIT, Buffer.from([0x83, 0x02])));
        }
        sock.write(Buffer.concat(parts));
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as net.AddressInfo).port;
  const bus: TcpBusConfig = { id: 'fuzz', type: 'modbus-rtu-over-tcp', host: '127.0.0.1', port, timeoutMs: 30, retries: 0, interFrameGapMs: 0 };
  const link = new ModbusSerialLink(bus);
  t.teardown(async () => {
    await link.close();
    await new Promise<void>((res) => server.close(() => res()));
  });

  const outcomes: Record<'ok' | FieldErrorCode, number> = { ok: 0, TIMEOUT: 0, CRC: 0, EXCEPTION: 0, BAD_FRAME: 0, LINK_DOWN: 0, OTHER: 0 };
  let reads = 0;
  let wrongValues = 0;
  let acceptedWithoutGood = 0;
  const read = async (): Promise<void> => {
    if (!link.isOpen) await link.open();
    reads++;
    try {
      const v = await link.read(UNIT, { table: 'holding', address: 0, count: COUNT }, bus.timeoutMs);
      outcomes.ok++;
      // Exactly the good answer's registers: a wrong unit's reply carries 9s.
      if (JSON.stringify(v) !== JSON.stringify([1, 2, 3, 4])) wrongValues++;
      if (answeredGood[reads - 1] !== true) acceptedWithoutGood++;
    } catch (err) {
      outcomes[classify(err, bus.id, UNIT).code]++;
    }
  };

  let heapAtStart = 0;
  let heapAtEnd = 0;
  while (faultyTotal < FAULTY_FRAMES) {
    await read();
    if (heapAtStart === 0 && faultyTotal >= FAULTY_FRAMES / 10) {
      gc();
      heapAtStart = process.memoryUsage().heapUsed;
    }
  }
  gc();
  heapAtEnd = process.memoryUsage().heapUsed;

  // No stall: after the storm, good answers read fine.
  goodMode = true;
  let goodAfter = 0;
  for (let i = 0; i < 50; i++) {
    const before = outcomes.ok;
    await read();
    if (outcomes.ok > before) goodAfter++;
  }
  const counted = Object.values(outcomes).reduce((a, n) => a + n, 0);
  t.comment(`faulty frames sent: ${faultyTotal} ${JSON.stringify(sent)}; reads: ${reads} ${JSON.stringify(outcomes)}`);
  t.comment(`heap after 10% of the run ${(heapAtStart / 1e6).toFixed(1)} MB, at the end ${(heapAtEnd / 1e6).toFixed(1)} MB`);
  for (const k of KINDS) t.ok(sent[k] > FAULTY_FRAMES / 10, `${k} frames sent (${sent[k]})`);
  t.equal(counted, reads, 'every read counted exactly once');
  t.ok(outcomes.CRC > 0 && outcomes.EXCEPTION > 0 && outcomes.TIMEOUT > 0, 'CRC, exception and timeout outcomes seen');
  t.equal(wrongValues, 0, 'an accepted answer always carries the good answer\'s registers, never a wrong unit\'s');
  t.equal(acceptedWithoutGood, 0, 'no read succeeded on a request the peer answered only with faulty frames');
  t.ok(goodAfter >= 48, `good answers read fine after the storm (${goodAfter}/50)`);
  t.ok(heapAtEnd - heapAtStart < 16e6, `no memory growth (${((heapAtEnd - heapAtStart) / 1e6).toFixed(1)} MB)`);
});

import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceProfile, LiftConfig, SignalSource } from '../src/config/types.js';
import { loadConfig } from '../src/config/load.js';
import { loadProfile, loadProfilesForConfig } from '../src/config/profiles.js';
import { buildReadPlan, coalesce, MAX_READ_COUNT } from '../src/field/read-plan.js';
import { ConfigError } from '../src/config/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function lift(signals: LiftConfig['signals'] = {}): LiftConfig {
  return { id: 'L1', label: 'L1', bus: 'b', unitId: 1, profile: 'p', landings: ['0', '1'], pollIntervalMs: 500, signals };
}

function controller(signals: DeviceProfile['signals']): DeviceProfile {
  return { file: '/x/p.yaml', id: 'p', title: 'p', kind: 'controller', template: false, signals };
}

/** HR0 of the simulator map from named bits. */
function hr0(bits: number[]): number {
  return bits.reduce((acc, b) => acc | (1 << b), 0);
}

void t.test('the whole simulator profile is ONE FC03 request of 5 registers', async (t) => {
  const plan = buildReadPlan(loadProfile('liftwatch-sim'), lift());
  t.same(plan.requests, [{ table: 'holding', address: 0, count: 5 }]);
  // chain closed, door zone, closed limit, locked, mains, control voltage, car light; floor 3, up, fault 0, call registered
  const values = plan.decode([[hr0([0, 1, 3, 4, 11, 13, 14]), 3, 1, 0, 0b01]]);
  t.same(values, {
    safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true,
    moving: false, alarmButton: false, inspection: false, fireService: false, outOfService: false,
    overload: false, mainsPower: true, endOfAlarm: false, controlVoltage: true, carLight: true,
    alarmDeviceFault: false, floor: 3, direction: 'up', faultCode: 0, callRegistered: true, doorOpenCommand: false,
  });
  const other = plan.decode([[hr0([5, 6, 15]), 0, 2, 4711, 0b10]]);
  t.equal(other.moving, true);
  t.equal(other.alarmButton, true);
  t.equal(other.alarmDeviceFault, true);
  t.equal(other.safetyChain, false);
  t.equal(other.direction, 'down');
  t.equal(other.faultCode, 4711);
  t.equal(other.doorOpenCommand, true);
  t.equal(other.callRegistered, false);
  t.equal(plan.decode([[0, 0, 7, 0, 0]]).direction, undefined, 'unknown enum value leaves the signal undefined');
  t.same(plan.decode([]), {}, 'no answer: no values');
  t.same(Object.keys(plan.decode([[0, 5]])).sort(), [
    'alarmButton', 'alarmDeviceFault', 'carLight', 'controlVoltage', 'doorClosedLimit', 'doorLocked', 'doorOpenLimit',
    'doorZone', 'endOfAlarm', 'fireService', 'floor', 'inspection', 'mainsPower', 'moving', 'outOfService', 'overload', 'safetyChain',
  ], 'a short answer decodes what it covers');
});

void t.test('demo lift B: DI-16 wiring is one FC02 request, input n = HR0 bit n', async (t) => {
  const cfg = loadConfig(path.join(root, 'config/demo.yaml'));
  const profiles = loadProfilesForConfig(cfg);
  const b = cfg.lifts[1]!;
  const plan = buildReadPlan(profiles.get(b.profile)!, b);
  t.same(plan.requests, [{ table: 'discrete', address: 0, count: 13 }]);
  const bits = Array.from({ length: 13 }, (_, i) => [0, 4, 6, 11].includes(i));
  t.same(plan.decode([bits]), {
    safetyChain: true, doorZone: false, doorOpenLimit: false, doorClosedLimit: false, doorLocked: true, moving: false,
    alarmButton: true, inspection: false, mainsPower: true, endOfAlarm: false,
  });
});

void t.test('DI wiring: invert, module base address, lift override replaces profile source', async (t) => {
  const module: DeviceProfile = {
    file: '/x/di.yaml', id: 'di', title: 'di', kind: 'io-module', template: false,
    inputs: { table: 'coil', address: 100, count: 8 }, signals: {},
  };
  const plan = buildReadPlan(module, lift({ alarmButton: { input: 5, invert: true }, safetyChain: { input: 0 }, floor: { table: 'input', address: 7 } }));
  t.same(plan.requests, [{ table: 'coil', address: 100, count: 6 }, { table: 'input', address: 7, count: 1 }]);
  t.same(plan.decode([[true, false, false, false, false, false], [2]]), { alarmButton: true, safetyChain: true, floor: 2 });
  t.same(plan.decode([[false, 0, 0, 0, 0, 1] as unknown as boolean[], [0]]), { alarmButton: false, safetyChain: false, floor: 0 }, 'numbers from a bit table read as booleans');
  const sim = loadProfile('liftwatch-sim');
  const over = buildReadPlan(sim, lift({ endOfAlarm: { table: 'input', address: 20, bit: 3 } }));
  t.same(over.requests, [{ table: 'holding', address: 0, count: 5 }, { table: 'input', address: 20, count: 1 }]);
  t.equal(over.decode([[hr0([12]), 0, 0, 0, 0], [0]]).endOfAlarm, false, 'the override, not HR0 bit 12, is read');
  t.equal(over.decode([[0, 0, 0, 0, 0], [8]]).endOfAlarm, true);
  t.throws(() => buildReadPlan(sim, lift({ alarmButton: { input: 1 } })), ConfigError, '{input} needs an io-module');
});

void t.test('32-bit, signed, scaled and inverted register values', async (t) => {
  const src = (s: Partial<SignalSource>): SignalSource => ({ table: 'holding', address: 10, ...s });
  const cases: Array<[string, SignalSource, number[], unknown]> = [
    ['uint32 big', src({ type: 'uint32' }), [0x0001, 0x0002], 0x00010002],
    ['uint32 little', src({ type: 'uint32', wordOrder: 'little' }), [0x0001, 0x0002], 0x00020001],
    ['uint32 max', src({ type: 'uint32' }), [0xffff, 0xffff], 4294967295],
    ['int32 negative', src({ type: 'int32' }), [0xffff, 0xfffe], -2],
    ['int32 little', src({ type: 'int32', wordOrder: 'little' }), [0x0000, 0x8000], -2147483648],
    ['int16', src({ type: 'int16' }), [0xfffb], -5],
    ['uint16', src({}), [0xfffb], 65531],
    ['scale/offset', src({ scale: 0.5, offset: -1 }), [10], 4],
    ['int16 + offset', src({ type: 'int16', offset: 1 }), [0xffff], 0],
  ];
  for (const [name, s, regs, want] of cases) {
    const plan = buildReadPlan(controller({ faultCode: s }), lift());
    t.same(plan.requests, [{ table: 'holding', address: 10, count: regs.length }], `${name}: request`);
    t.equal(plan.decode([regs]).faultCode, want, name);
  }
  const half = buildReadPlan(controller({ faultCode: src({ type: 'uint32' }) }), lift());
  t.equal(half.decode([[1]]).faultCode, undefined, 'a 32-bit value missing its second word is undefined');

  const bool = buildReadPlan(controller({
    mainsPower: { table: 'input', address: 0, bit: 15, invert: true },
    overload: { table: 'input', address: 1 },
    inspection: { table: 'input', address: 2, enum: { '3': true, '4': false } },
  }), lift());
  t.same(bool.requests, [{ table: 'input', address: 0, count: 3 }]);
  t.same(bool.decode([[0x8000, 0, 3]]), { mainsPower: false, overload: false, inspection: true });
  t.same(bool.decode([[0x7fff, 9, 5]]), { mainsPower: true, overload: true }, 'register != 0 is true; unmapped enum is undefined');
});

void t.test('coalescing: gaps, tables and Modbus limits', async (t) => {
  t.same(coalesce('holding', [5, 3, 4, 3]), [{ table: 'holding', address: 3, count: 3 }]);
  t.same(coalesce('holding', [0, 17]), [{ table: 'holding', address: 0, count: 18 }], 'hole of 16 merges');
  t.same(coalesce('holding', [0, 18]), [{ table: 'holding', address: 0, count: 1 }, { table: 'holding', address: 18, count: 1 }], 'hole of 17 splits');
  t.same(coalesce('input', [0, 2], 0), [{ table: 'input', address: 0, count: 1 }, { table: 'input', address: 2, count: 1 }], 'maxGap 0');
  t.same(coalesce('input', [0, 1], 0), [{ table: 'input', address: 0, count: 2 }]);
  const regs = Array.from({ length: 300 }, (_, i) => i);
  const split = coalesce('holding', regs);
  t.same(split.map((r) => [r.address, r.count]), [[0, 125], [125, 125], [250, 50]]);
  t.ok(split.every((r) => r.count <= MAX_READ_COUNT.holding));
  const bits = coalesce('discrete', [0, 1999, 2000]);
  t.same(bits.map((r) => [r.address, r.count]), [[0, 1], [1999, 2]]);
  t.same(coalesce('coil', Array.from({ length: 2001 }, (_, i) => i)).map((r) => r.count), [2000, 1]);

  const mixed = buildReadPlan(controller({
    safetyChain: { table: 'discrete', address: 40 },
    doorZone: { table: 'discrete', address: 3 },
    floor: { table: 'holding', address: 200 },
    faultCode: { table: 'holding', address: 100, type: 'uint32' },
    moving: { table: 'coil', address: 9 },
    direction: { table: 'holding', address: 110, enum: { '0': 'none' } },
  }), lift(), { maxGap: 16 });
  t.same(mixed.requests, [
    { table: 'coil', address: 9, count: 1 },
    { table: 'discrete', address: 3, count: 1 },
    { table: 'discrete', address: 40, count: 1 },
    { table: 'holding', address: 100, count: 11 },
    { table: 'holding', address: 200, count: 1 },
  ]);
  const hold = Array.from({ length: 11 }, () => 0);
  hold[0] = 0; hold[1] = 77;
  t.same(mixed.decode([[true], [false], [true], hold, [4]]), {
    safetyChain: true, doorZone: false, floor: 4, faultCode: 77, moving: true, direction: 'none',
  });
});

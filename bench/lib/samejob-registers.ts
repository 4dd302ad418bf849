/**
 * The register image of the "same job" benchmark, one for every unit: 16 holding registers of
 * which 15 change every second, read by liftwatch through bench profile `samejob-16` and by the
 * bare script as they are. Values a healthy lift in traffic gives (liftwatch-sim's map): HR0 the
 * contacts at a landing with the safety chain, locks, mains, control voltage and car light made,
 * `moving` toggling each second; HR1 the landing (0..5); HR2 the direction; HR3 the fault code,
 * 0 as on a healthy controller (the one register that does not change); HR4..HR15 counters.
 */
const AT_REST = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 11) | (1 << 13) | (1 << 14);

export function registerValue(unit: number, address: number, second: number): number {
  switch (address) {
    case 0:
      return AT_REST | ((second & 1) << 5);
    case 1:
      return (second + unit) % 6;
    case 2:
      return second & 1 ? 1 : 0;
    case 3:
      return 0;
    default:
      return (second * 7 + unit * 31 + address) & 0xffff;
  }
}

/** liftwatch's profile for the image: every signal liftwatch-sim maps, plus HR15 so one read spans all 16. */
export const SAMEJOB_PROFILE = {
  id: 'samejob-16',
  title: 'same-job benchmark image',
  kind: 'controller',
  template: false,
  signals: {
    safetyChain: { table: 'holding', address: 0, bit: 0 },
    doorZone: { table: 'holding', address: 0, bit: 1 },
    doorOpenLimit: { table: 'holding', address: 0, bit: 2 },
    doorClosedLimit: { table: 'holding', address: 0, bit: 3 },
    doorLocked: { table: 'holding', address: 0, bit: 4 },
    moving: { table: 'holding', address: 0, bit: 5 },
    alarmButton: { table: 'holding', address: 0, bit: 6 },
    inspection: { table: 'holding', address: 0, bit: 7 },
    fireService: { table: 'holding', address: 0, bit: 8 },
    outOfService: { table: 'holding', address: 0, bit: 9 },
    overload: { table: 'holding', address: 0, bit: 10 },
    mainsPower: { table: 'holding', address: 0, bit: 11 },
    endOfAlarm: { table: 'holding', address: 0, bit: 12 },
    controlVoltage: { table: 'holding', address: 0, bit: 13 },
    carLight: { table: 'holding', address: 0, bit: 14 },
    alarmDeviceFault: { table: 'holding', address: 0, bit: 15 },
    floor: { table: 'holding', address: 1 },
    direction: { table: 'holding', address: 2, enum: { 0: 'none', 1: 'up', 2: 'down' } },
    faultCode: { table: 'holding', address: 3 },
    callRegistered: { table: 'holding', address: 4, bit: 0 },
    doorOpenCommand: { table: 'holding', address: 15, bit: 0 },
  },
} as const;

/**
 * The three ways a box reads a lift (docs/profiles.md), as the lift's config entry: the
 * controller's own register map, or a 16-input module wired to the controller's contacts.
 * Input n of the module is bit n of the simulator's status word (devices/liftwatch-sim.yaml).
 */
export const WIRINGS = ['controller', 'di-retrofit', 'minimal'] as const;
export type Wiring = (typeof WIRINGS)[number];

const input = (n: number): { input: number } => ({ input: n });

export const WIRING_SIGNALS: Readonly<Record<Wiring, Record<string, unknown>>> = {
  // The full controller map: contacts, floor, direction, fault code, commands.
  controller: { profile: 'liftwatch-sim' },
  // The common retrofit: contacts only, no door-open command, no registered call.
  'di-retrofit': {
    profile: 'generic-di-16',
    signals: {
      safetyChain: input(0),
      doorZone: input(1),
      doorOpenLimit: input(2),
      doorClosedLimit: input(3),
      doorLocked: input(4),
      moving: input(5),
      alarmButton: input(6),
      inspection: input(7),
      mainsPower: input(11),
      endOfAlarm: input(12),
    },
  },
  // The least a site gets wired: chain, door zone, running, alarm push, mains.
  minimal: {
    profile: 'generic-di-16',
    signals: { safetyChain: input(0), doorZone: input(1), moving: input(5), alarmButton: input(6), mainsPower: input(11) },
  },
};

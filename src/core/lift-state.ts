/**
 * The lift state model: what the car is doing, derived from debounced signals. Pure.
 * While the link is lost (or before the first sample) everything is unknown
 * (docs/taxonomy.md, cross-cutting rules: while the controller link is lost, the state is unknown).
 */
import type { SignalValues } from './signals.js';
import type { Tracks } from './debounce.js';
import type { DoorState, LiftMode, LinkState, LiftSnapshot } from './types.js';

export interface LiftView {
  link: LinkState;
  /** Debounced signal values (last known ones while the link is lost). */
  values: SignalValues;
  mode: LiftMode;
  moving: boolean | null;
  direction: 'none' | 'up' | 'down' | null;
  floor: number | null;
  inDoorZone: boolean | null;
  doors: DoorState;
  /** The debounce tracks behind `values` (edge instants and previous values), when known. */
  tracks?: Tracks;
}

function doorState(v: SignalValues): DoorState {
  if (v.doorOpenLimit === undefined && v.doorClosedLimit === undefined && v.doorLocked === undefined) {
    return 'unknown';
  }
  if (v.doorOpenLimit === true) return 'open';
  if (v.doorClosedLimit === true || v.doorLocked === true) return 'closed';
  return 'opening_or_closing';
}

/** Mode priority: inspection > fire_service > out_of_service > normal. */
function mode(v: SignalValues): LiftMode {
  if (v.inspection === true) return 'inspection';
  if (v.fireService === true) return 'fire_service';
  if (v.outOfService === true) return 'out_of_service';
  return 'normal';
}

function floorOf(v: SignalValues, landings: number): number | null {
  const f = v.floor;
  if (f === undefined || !Number.isInteger(f) || f < 0 || f >= landings) return null;
  return f;
}

export function deriveView(values: SignalValues, link: LinkState, landings: number, tracks?: Tracks): LiftView {
  if (link !== 'ok') {
    return {
      link, values, mode: 'unknown', moving: null, direction: null,
      floor: null, inDoorZone: null, doors: 'unknown',
    };
  }
  const moving = values.moving ?? null;
  return {
    link,
    values,
    mode: mode(values),
    moving,
    direction: values.direction ?? (moving === false ? 'none' : null),
    floor: floorOf(values, landings),
    inDoorZone: values.doorZone ?? null,
    doors: doorState(values),
    ...(tracks ? { tracks } : {}),
  };
}


/** True when the car is known not to be running. A missing `moving` signal counts as stationary
 * so that a retrofit without a running contact never loses a passenger alarm. */
export function isStationary(view: LiftView): boolean {
  return view.values.moving !== true;
}

export function toSnapshot(
  liftId: string,
  view: LiftView,
  activeAlarms: LiftSnapshot['activeAlarms'],
  lastSampleAt: number | null,
): LiftSnapshot {
  return {
    liftId,
    link: view.link,
    mode: view.mode,
    moving: view.moving,
    direction: view.direction,
    floor: view.floor,
    inDoorZone: view.inDoorZone,
    doors: view.doors,
    activeAlarms,
    lastSampleAt,
  };
}

/** Identity of a snapshot for change detection: everything except lastSampleAt. */
export function snapshotKey(s: LiftSnapshot): string {
  return JSON.stringify({ ...s, lastSampleAt: undefined });
}

import t from 'tap';
import { deriveView } from '../src/core/lift-state.js';

void t.test('doors', async (t) => {
  t.equal(deriveView({ doorOpenLimit: true, doorClosedLimit: false }, 'ok', 4).doors, 'open');
  t.equal(deriveView({ doorClosedLimit: true }, 'ok', 4).doors, 'closed');
  t.equal(deriveView({ doorLocked: true, doorClosedLimit: false }, 'ok', 4).doors, 'closed', 'locked counts as closed');
  t.equal(deriveView({ doorOpenLimit: false, doorClosedLimit: false, doorLocked: false }, 'ok', 4).doors, 'opening_or_closing');
  t.equal(deriveView({ moving: false }, 'ok', 4).doors, 'unknown', 'no door signals at all');
});

void t.test('mode priority: inspection > fire_service > out_of_service > normal', async (t) => {
  t.equal(deriveView({ inspection: true, fireService: true, outOfService: true }, 'ok', 4).mode, 'inspection');
  t.equal(deriveView({ fireService: true, outOfService: true }, 'ok', 4).mode, 'fire_service');
  t.equal(deriveView({ outOfService: true }, 'ok', 4).mode, 'out_of_service');
  t.equal(deriveView({}, 'ok', 4).mode, 'normal');
});

void t.test('floor, direction and an unknown link', async (t) => {
  t.equal(deriveView({ floor: 3 }, 'ok', 4).floor, 3);
  t.equal(deriveView({ floor: 4 }, 'ok', 4).floor, null, 'outside the landings');
  t.equal(deriveView({}, 'ok', 4).floor, null, 'absent');
  t.equal(deriveView({ moving: false }, 'ok', 4).direction, 'none');
  t.equal(deriveView({ moving: true }, 'ok', 4).direction, null);
  t.equal(deriveView({ moving: true, direction: 'down' }, 'ok', 4).direction, 'down');
  t.match(deriveView({ floor: 2, moving: false, inspection: true }, 'lost', 4), {
    link: 'lost', mode: 'unknown', moving: null, direction: null, floor: null, inDoorZone: null, doors: 'unknown',
  });
});

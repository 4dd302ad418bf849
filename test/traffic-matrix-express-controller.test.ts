// Normal-traffic matrix (test/helpers/traffic-matrix.ts): express traffic read as controller, 24 simulated hours.
import t from 'tap';
import { matrixCell } from './helpers/traffic-matrix.js';

await matrixCell(t, 'express', 'controller');

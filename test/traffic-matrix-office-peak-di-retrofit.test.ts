// Normal-traffic matrix (test/helpers/traffic-matrix.ts): office-peak traffic read as di-retrofit, 24 simulated hours.
import t from 'tap';
import { matrixCell } from './helpers/traffic-matrix.js';

await matrixCell(t, 'office-peak', 'di-retrofit');

/** What every benchmark module exports, and the options the runner passes in. */
import type { BenchResult } from './report.js';

export interface BenchOptions {
  quick: boolean;
  /** Loaded phase of the footprint benchmark, in minutes (10 for the full soak). */
  soakMinutes: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

export type Measured = Omit<BenchResult, 'name' | 'title' | 'target' | 'durationMs'>;

export interface Bench {
  name: string;
  title: string;
  target: string;
  run(opts: BenchOptions): Promise<Measured>;
}

/** A logger that drops everything: the benchmarks measure the parts, not their log lines. */
import type { Logger } from '../../src/ports/logger.js';

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };

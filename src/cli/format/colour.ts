/**
 * Colour only on a terminal: on when the stream is a TTY (or FORCE_COLOR is set), off when
 * NO_COLOR is set (https://no-color.org) or the output is piped.
 */
export interface Paint {
  enabled: boolean;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return Boolean(stream.isTTY);
}

export function paint(enabled: boolean): Paint {
  const wrap = (code: string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { enabled, red: wrap('1;31'), yellow: wrap('33'), green: wrap('32'), cyan: wrap('36'), dim: wrap('2'), bold: wrap('1') };
}

/** Severity → colour, the same as the demo's alarm lines (src/cli/present.ts). */
export function bySeverity(p: Paint, severity: string, s: string): string {
  if (severity === 'critical') return p.red(s);
  if (severity === 'major') return p.yellow(s);
  if (severity === 'minor') return p.cyan(s);
  if (severity === 'info') return p.dim(s);
  return s;
}

/** Printable width of a string with ANSI colour codes. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

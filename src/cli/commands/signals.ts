/**
 * `liftwatch signals`: each lift's raw (as last read) and debounced (as the core holds them)
 * signal values side by side; `--watch` redraws in place until Ctrl-C.
 */
import { SIGNAL_NAMES } from '../../core/signals.js';
import type { Paint } from '../format/colour.js';
import { table } from '../format/table.js';
import { localTime } from '../format/time.js';
import { CODE } from './exit-codes.js';
import { needAgent, withSession, type DiagOptions } from './context.js';

export interface SignalsView {
  liftId: string;
  label: string;
  rawAt: string | null;
  rttMs: number | null;
  error: string | null;
  raw: Record<string, unknown> | null;
  debounced: Record<string, unknown> | null;
}

/** Cursor home, clear to the end of screen, hide/show cursor (ECMA-48 CUP, ED; DECTCEM). */
export const ESC = { home: '\x1b[H', clearBelow: '\x1b[J', clearScreen: '\x1b[2J', hideCursor: '\x1b[?25l', showCursor: '\x1b[?25h' };

interface SignalsOptions extends DiagOptions {
  lift?: string;
  watch?: boolean;
  interval: string;
  count?: string;
  tty?: boolean;
}

export function signals(o: SignalsOptions): Promise<number> {
  return withSession(o, async (s) => {
    const client = needAgent(s);
    const fetch = () => client.request<SignalsView[]>('signals', o.lift ? { lift: o.lift } : {});
    if (!o.watch) {
      const v = await fetch();
      if (s.out.json) s.out.printJson(v);
      else s.out.print(renderSignals(v, s.out.paint));
      return CODE.OK;
    }
    const interval = Math.max(50, Number(o.interval) || 500);
    const count = o.count ? Number(o.count) : Infinity;
    const inPlace = !s.out.json && (o.tty || Boolean(process.stdout.isTTY));
    let stop = false;
    const onSigint = (): void => void (stop = true);
    process.once('SIGINT', onSigint);
    if (inPlace) process.stdout.write(ESC.hideCursor + ESC.clearScreen);
    try {
      for (let n = 0; n < count && !stop; n++) {
        const v = await fetch();
        if (s.out.json) process.stdout.write(JSON.stringify(v) + '\n');
        else if (inPlace) process.stdout.write(ESC.home + `liftwatch signals   ${localTime(new Date().toISOString()).slice(11)}   (Ctrl-C stops)\n\n` + renderSignals(v, s.out.paint) + ESC.clearBelow);
        else s.out.print(renderSignals(v, s.out.paint));
        if (n + 1 < count) await sleepUnless(interval, () => stop);
      }
    } finally {
      process.off('SIGINT', onSigint);
      if (inPlace) process.stdout.write(ESC.showCursor);
    }
    return CODE.OK;
  });
}

async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !stopped()) await new Promise((r) => setTimeout(r, Math.min(50, end - Date.now())));
}

function show(v: unknown): string {
  if (v === undefined) return '-';
  if (v === true) return 'on';
  if (v === false) return 'off';
  return String(v);
}

export function renderSignals(views: SignalsView[], p: Paint): string {
  return views
    .map((v) => {
      const head = `${p.bold(v.label)} (${v.liftId})  read ${v.rawAt ? localTime(v.rawAt).slice(11) : 'never'}${v.rttMs !== null ? `, rtt ${v.rttMs} ms` : ''}${v.error ? '  ' + p.red('last poll failed: ' + v.error) : ''}`;
      const names = SIGNAL_NAMES.filter((n) => (v.raw && n in v.raw) || (v.debounced && n in v.debounced));
      const rows = names.map((n) => {
        const raw = show(v.raw?.[n]);
        const deb = show(v.debounced?.[n]);
        return [n, raw, raw === deb ? deb : p.yellow(deb), raw === deb ? '' : p.yellow('settling')];
      });
      return head + '\n' + (rows.length ? table(['signal', 'raw', 'debounced', ''], rows, { indent: '  ' }) : '  no sample yet\n');
    })
    .join('\n');
}

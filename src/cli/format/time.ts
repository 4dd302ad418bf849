/** Durations and ages for people: "3.2 s", "14 min", "2 h 05 min", "3 d 4 h". */
export function human(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.floor((ms % 86_400_000) / 3_600_000)} h`;
}

/** "12:03:04 (5 s ago)" for an ISO time, "-" for null. */
export function ago(isoTime: string | null, now: number): string {
  if (!isoTime) return '-';
  const t = Date.parse(isoTime);
  return `${localTime(isoTime)} (${human(now - t)} ago)`;
}

/** Local date and time, to the second, as the technician's watch shows it. */
export function localTime(isoTime: string | null): string {
  if (!isoTime) return '-';
  const d = new Date(isoTime);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

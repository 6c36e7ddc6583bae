// Dates of the API (ISO 8601) for people: "5 minutes ago" on the card, the
// full date in its title.

const UNITS: readonly [string, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "1 minute ago", "3 hours ago", "in 2 days" (a clock ahead); "—" when unknown. */
export function formatRelativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const seconds = Math.round((now - then) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'minute') {
      const n = Math.max(1, Math.floor(abs / size));
      const label = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return seconds >= 0 ? `${label} ago` : `in ${label}`;
    }
  }
  return 'just now';
}

/** The full date in the viewer's locale and zone, or '' when unknown. */
export function formatAbsoluteTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 → an <input type="datetime-local"> value in the viewer's zone ('' when unset). */
export function isoToLocalInput(iso: string): string {
  const t = Date.parse(iso);
  if (iso === '' || Number.isNaN(t)) return '';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's zone) → ISO 8601 UTC ('' when empty or bad). */
export function localInputToIso(value: string): string {
  const t = value === '' ? Number.NaN : new Date(value).getTime();
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/** "updated 5 s ago" style: whole seconds since then (0 when in the future). */
export function secondsSince(then: number, now: number): number {
  return Math.max(0, Math.floor((now - then) / 1000));
}

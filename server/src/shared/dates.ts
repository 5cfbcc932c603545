/** Dates as threat models write them. */

/** YYYY-MM-DD in the local time zone: the day the person at the keyboard is living. */
export function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

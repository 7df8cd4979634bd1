/**
 * File names and sizes for display. A name from outside is only ever shown, never used as a path:
 * `displayName` drops any directory part, control and bidirectional-override characters (which can
 * make `exe.txt` look like `txt.exe`), and shortens long names in the middle so the extension stays
 * visible. Invariant: the result is never empty and never contains `/` or `\`.
 */
// Control characters are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export const MAX_NAME = 60;

export function displayName(raw: string | null | undefined, fallback = 'file'): string {
  let name = (raw ?? '').replace(CONTROL, '');
  name = name.split(/[\\/]/).filter((p) => p !== '').pop() ?? '';
  name = name.trim().replace(/^\.+$/, '');
  if (name === '') return fallback;
  const chars = [...name];
  if (chars.length <= MAX_NAME) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 10 ? [...name.slice(dot)] : [];
  const keep = MAX_NAME - ext.length - 1;
  const stem = chars.slice(0, chars.length - ext.length);
  const head = Math.ceil(keep * 0.6);
  return `${stem.slice(0, head).join('')}…${stem.slice(stem.length - (keep - head)).join('')}${ext.join('')}`;
}

/** "512 B", "1.5 KB", "12 MB" (binary units, one decimal under 10). */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)} ${units[unit]}`;
}

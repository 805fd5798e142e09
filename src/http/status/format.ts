import { BEIJING_OFFSET_MS } from '../../dates.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Beijing wall-clock time, the zone WeChat's dates and the schedule live in. */
export function beijingTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return `${new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')}+08:00`;
}

export const count = (n: number | undefined): string => (n === undefined ? '—' : String(n));
export const percent = (r: number | undefined): string => (r === undefined ? '—' : `${(r * 100).toFixed(2)} %`);
export const seconds = (s: number | undefined): string => (s === undefined ? '—' : `${s.toFixed(3)} s`);

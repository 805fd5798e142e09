import type { HistoryDay } from '../../store/history.js';

const BAR = 6;
const HEIGHT = 32;

/**
 * The reference day's 24 hours as inline SVG bars: callbacks on one scale per account, failures
 * in red on the same scale (at least 2 px when any failed, so that a single failure shows). Inline
 * SVG needs no script and no image request, so it draws under `default-src 'none'`; the colours
 * come from the page's stylesheet classes, not from style attributes. Hours WeChat did not list
 * are zero in the stored day, as on /metrics.
 */
export function hourChart(reference: HistoryDay | undefined): string {
  if (!reference) return '';
  const hours = reference.hours;
  const max = Math.max(...hours.map((f) => f.callbackCount));
  const peak = Math.max(1, max);
  const failures = hours.reduce((s, f) => s + f.failCount, 0);
  const bars = hours.map((f, h) => {
    const hh = String(h).padStart(2, '0');
    const cb = f.callbackCount === 0 ? 0 : Math.max(1, Math.round((f.callbackCount / peak) * HEIGHT));
    const fail = f.failCount === 0 ? 0 : Math.max(2, Math.round((f.failCount / peak) * HEIGHT));
    const x = h * BAR;
    return (
      `<g data-hour="${hh}" data-callbacks="${f.callbackCount}" data-failures="${f.failCount}"><title>${hh}:00 callbacks ${f.callbackCount}, failures ${f.failCount}</title>` +
      (cb ? `<rect class="cb" x="${x}" y="${HEIGHT - cb}" width="${BAR - 1}" height="${cb}"/>` : '') +
      (fail ? `<rect class="fail" x="${x}" y="${HEIGHT - fail}" width="${BAR - 1}" height="${fail}"/>` : '') +
      '</g>'
    );
  });
  const label = `Callbacks and failures by hour on ${reference.refDate}: peak ${max} callbacks an hour, ${failures} failures`;
  return `<svg class="chart" width="${24 * BAR}" height="${HEIGHT}" viewBox="0 0 ${24 * BAR} ${HEIGHT}" role="img" aria-label="${label}">${bars.join('')}</svg>`;
}

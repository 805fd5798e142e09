const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+)(ms|s|m|h|d)$/;
/** The same rule for JSON Schema (the Helm chart's values.schema.json is generated from the config schema). */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d)$';

/**
 * Milliseconds of a duration written as README "Configuration" does (`500ms`, `10s`, `30m`, `6h`, also
 * `1d`), or undefined. Deliberately narrow: one number and one unit, like Prometheus durations
 * without the compound forms, so that a typo is an error rather than a surprise.
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The pieces of the Prometheus text format 0.0.4 that gauges need, written exactly as prom-client
 * writes them (lib/registry.js), so that prepared families and the registry's own agree byte for
 * byte: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** HELP text and metric names: backslash and newline escaped. */
export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: also the double quote. */
export function escapeLabelValue(s: string): string {
  return escapeHelp(s).replace(/"/g, '\\"');
}

/** A sample value as prom-client prints it (`Nan` is prom-client's spelling; Prometheus parses it). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

export function formatLabels(labels: readonly (readonly [string, string])[]): string {
  return labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

/** `# HELP` and `# TYPE` lines of a gauge family, without a trailing newline. */
export function familyHeader(name: string, help: string, type = 'gauge'): string {
  const n = escapeHelp(name);
  return `# HELP ${n} ${escapeHelp(help)}\n# TYPE ${n} ${type}`;
}

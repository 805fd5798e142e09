import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default metrics include three gauges named `..._total`, which the Prometheus
 * naming rules reserve for counters (`promtool check metrics`: "non-counter metrics should not
 * have "_total" suffix"). Each is the sum of the per-type gauge of the same name without the
 * suffix (`nodejs_active_handles{type}` and so on), so dropping them loses nothing:
 * `sum without (type) (nodejs_active_handles)` gives the same value.
 * https://prometheus.io/docs/practices/naming/#metric-names
 */
export const DROPPED_PROCESS_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Node.js process metrics (CPU, memory, event loop, GC, handles) with names promtool accepts. */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_PROCESS_METRICS) registry.removeSingleMetric(name);
}

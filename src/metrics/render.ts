import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

/**
 * The registry's metrics in the Prometheus text format, or in OpenMetrics. For OpenMetrics,
 * prom-client renames each counter in place (it strips `_total` from `metric.name` and never
 * restores it), which would corrupt every later text-format scrape; so the OpenMetrics registry
 * gets a throw-away view of each counter whose renaming stays on the view.
 */
export async function renderMetrics(registry: Registry, openMetrics: boolean): Promise<{ contentType: string; body: string }> {
  if (!openMetrics) return { contentType: registry.contentType, body: await registry.metrics() };
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray() as unknown as (Metric & { type?: string })[]) {
    om.registerMetric(metric.type === 'counter' ? (Object.create(metric) as Metric) : metric);
  }
  return { contentType: om.contentType, body: await om.metrics() };
}

/** The few calls of Prometheus' HTTP API the end-to-end test makes (https://prometheus.io/docs/prometheus/latest/querying/api/). */

export interface Series {
  readonly metric: Readonly<Record<string, string>>;
  /** Instant vector: one value; matrix: `values`. Values are strings ("0.0123", "NaN"). */
  readonly value?: readonly [number, string];
  readonly values?: readonly (readonly [number, string])[];
}

/** A query's answer: the result, or Prometheus' error text. */
export type QueryAnswer =
  { readonly ok: true; readonly resultType: string; readonly result: readonly Series[] } | { readonly ok: false; readonly error: string };

export interface PrometheusAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing' | 'inactive';
  readonly value: string;
}

interface ApiEnvelope {
  readonly status: 'success' | 'error';
  readonly data?: unknown;
  readonly errorType?: string;
  readonly error?: string;
}

export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  /** An instant query at Prometheus' current time. */
  query(expr: string): Promise<QueryAnswer> {
    return this.#query('/api/v1/query', { query: expr });
  }

  /** A range query over the last `seconds`, one point per `stepSeconds`. */
  queryRange(expr: string, seconds: number, stepSeconds = 1): Promise<QueryAnswer> {
    const end = Date.now() / 1000;
    return this.#query('/api/v1/query_range', { query: expr, start: String(end - seconds), end: String(end), step: String(stepSeconds) });
  }

  /** Active alerts (pending and firing) of every alerting rule. */
  async alerts(): Promise<PrometheusAlert[]> {
    const envelope = await this.#call('/api/v1/alerts');
    if (envelope.status !== 'success') throw new Error(`GET /api/v1/alerts: ${envelope.error ?? 'error'}`);
    return (envelope.data as { alerts: PrometheusAlert[] }).alerts;
  }

  async #query(path: string, params: Record<string, string>): Promise<QueryAnswer> {
    const envelope = await this.#call(path, params);
    if (envelope.status !== 'success') return { ok: false, error: `${envelope.errorType ?? 'error'}: ${envelope.error ?? '?'}` };
    const data = envelope.data as { resultType: string; result: Series[] };
    return { ok: true, resultType: data.resultType, result: data.result };
  }

  // POSTed as a form, as Grafana does, so that long queries do not meet URL length limits.
  async #call(path: string, params?: Record<string, string>): Promise<ApiEnvelope> {
    const res = await fetch(`${this.baseUrl}${path}`, params ? { method: 'POST', body: new URLSearchParams(params) } : {});
    const text = await res.text();
    try {
      return JSON.parse(text) as ApiEnvelope;
    } catch {
      throw new Error(`${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
  }
}

import { Registry } from 'prom-client';
import type { Clock } from '../../src/clock.js';
import { Redactor } from '../../src/redact.js';
import { WechatSimulator, type SimulatorAccount } from '../../src/simulator/index.js';
import { AccountApi } from '../../src/wechat/account-api.js';
import { ApiMetrics } from '../../src/wechat/api-metrics.js';
import { WechatHttpClient } from '../../src/wechat/http-client.js';
import type { RetryPolicy } from '../../src/wechat/retry-policy.js';
import { TokenCache } from '../../src/wechat/tokens/token-cache.js';
import { StableTokenSource } from '../../src/wechat/tokens/sources.js';
import type { TokenSource } from '../../src/wechat/tokens/token-source.js';
import { createDispatcher } from '../../src/wechat/transport.js';

export const APPID = 'wx0123456789abcdef';
export const SECRET = 'app-secret-0123456789abcdef0123';
export const ACCOUNT: SimulatorAccount = { appid: APPID, secret: SECRET };

/** Short waits, so that retry tests take milliseconds. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, maxElapsedMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 };

export interface StackOptions {
  readonly clock: Clock;
  readonly baseUrls?: readonly string[];
  readonly env?: Record<string, string>;
  readonly proxy?: string;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
  readonly source?: (http: WechatHttpClient) => TokenSource;
}

/** The API layer as the exporter builds it, against a simulator on 127.0.0.1. */
export interface Stack {
  readonly sim: WechatSimulator;
  readonly http: WechatHttpClient;
  readonly registry: Registry;
  readonly metrics: ApiMetrics;
  readonly redactor: Redactor;
  readonly tokens: TokenCache;
  readonly api: AccountApi;
  close(): Promise<void>;
}

export async function startSimulator(clock: Clock, accounts: readonly SimulatorAccount[] = [ACCOUNT]): Promise<WechatSimulator> {
  const sim = new WechatSimulator({ accounts, clock });
  await sim.listen(0, '127.0.0.1');
  return sim;
}

export function buildStack(sim: WechatSimulator, options: StackOptions): Stack {
  const registry = new Registry();
  const metrics = new ApiMetrics(registry);
  const redactor = new Redactor();
  redactor.add(SECRET);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const http = new WechatHttpClient({
    baseUrls: options.baseUrls ?? [sim.url],
    dispatcher: createDispatcher({ timeoutMs, proxy: options.proxy, env: options.env ?? {} }),
    metrics,
    clock: options.clock,
    timeoutMs,
    retry: options.retry ?? FAST_RETRY,
  });
  const source = options.source?.(http) ?? new StableTokenSource(http, { appid: APPID, secret: SECRET });
  const tokens = new TokenCache({ appid: APPID, source, clock: options.clock, metrics, redactor });
  const api = new AccountApi({ appid: APPID, http, tokens, clock: options.clock, metrics });
  return { sim, http, registry, metrics, redactor, tokens, api, close: () => http.close() };
}

/** The value of one sample in the registry, or 0 when absent. */
export async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .filter((v) => !('metricName' in v) || v.metricName === undefined || v.metricName === name)
    .reduce((sum, v) => sum + v.value, 0);
}

import { Registry } from 'prom-client';
import type { Clock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/load.js';
import { Redactor } from '../../src/redact.js';
import { WechatSimulator, type SimulatorAccount } from '../../src/simulator/index.js';
import type { AccountApi } from '../../src/wechat/account-api.js';
import { createAccountClients } from '../../src/wechat/account-clients.js';
import type { ApiMetrics } from '../../src/wechat/api-metrics.js';
import type { WechatHttpClient } from '../../src/wechat/http-client.js';
import type { RetryPolicy } from '../../src/wechat/retry-policy.js';
import type { TokenCache } from '../../src/wechat/tokens/token-cache.js';

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
  /** The account's token settings, as in the config (default: stable with SECRET). */
  readonly token?: Record<string, unknown>;
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

/** The API layer as the exporter wires it (createAccountClients), for the account APPID. */
export function buildStack(sim: WechatSimulator, options: StackOptions): Stack {
  const registry = new Registry();
  const redactor = new Redactor();
  const config = resolveConfig(
    {
      wechat: { baseUrls: options.baseUrls ?? [sim.url], timeout: `${options.timeoutMs ?? 2_000}ms`, proxy: options.proxy },
      accounts: [{ name: 'main', appid: APPID, ...(options.token ?? { secret: SECRET }) }],
    },
    {},
    'test',
  );
  const clients = createAccountClients({
    ...config,
    clock: options.clock,
    redactor,
    registry,
    env: options.env ?? {},
    retryPolicy: options.retry ?? FAST_RETRY,
  });
  return {
    sim,
    http: clients.http,
    registry,
    metrics: clients.metrics,
    redactor,
    tokens: clients.tokensFor(APPID),
    api: clients.apiFor(APPID),
    close: () => clients.close(),
  };
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

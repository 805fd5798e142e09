import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { ResolvedAccount } from '../config/load.js';
import type { Redactor } from '../redact.js';
import { AccountApi } from './account-api.js';
import { ApiMetrics } from './api-metrics.js';
import { WechatHttpClient } from './http-client.js';
import { BACKOFF_DELAYS, type RetryPolicy } from './retry-policy.js';
import { createTokenSource } from './tokens/create.js';
import { TokenCache } from './tokens/token-cache.js';
import { createDispatcher } from './transport.js';

export interface AccountClientsOptions {
  /** `wechat:` of the config: base URLs, timeout, proxy, retry bounds. */
  readonly wechat: Config['wechat'];
  readonly accounts: readonly ResolvedAccount[];
  readonly clock: Clock;
  /** Every appsecret and token is registered here, so that it is masked wherever it could appear. */
  readonly redactor: Redactor;
  /** Where the API-call metrics go. */
  readonly registry: Registry;
  /** Where HTTPS_PROXY / NO_PROXY come from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Retry pacing; tests shorten the waits. @default the config's bounds with BACKOFF_DELAYS */
  readonly retryPolicy?: Partial<RetryPolicy> | undefined;
}

/** The WeChat side of the exporter: one HTTP client, and per account a token cache and an API. */
export interface AccountClients {
  readonly http: WechatHttpClient;
  readonly metrics: ApiMetrics;
  /** The account's API (with its token cache and quota guard); throws for an appid not configured (a bug). */
  apiFor(appid: string): AccountApi;
  /** The account's token cache; throws likewise. */
  tokensFor(appid: string): TokenCache;
  /** Builds (or rebuilds, with a new token cache) the clients of one account: a reload's added or changed account. */
  add(account: ResolvedAccount): AccountApi;
  /** Forgets a removed account's clients. */
  remove(appid: string): void;
  /** Abandons calls in flight and closes the connections. */
  close(): Promise<void>;
}

/**
 * Wires the HTTP client, the token caches and the account APIs from the config: the one place
 * that does it, for the daemon, the backfill command, the tests and the bench.
 */
export function createAccountClients(options: AccountClientsOptions): AccountClients {
  const { wechat, clock, redactor, env } = options;
  const metrics = new ApiMetrics(options.registry);
  const http = new WechatHttpClient({
    baseUrls: wechat.baseUrls,
    dispatcher: createDispatcher({ timeoutMs: wechat.timeout, proxy: wechat.proxy, env }),
    metrics,
    clock,
    timeoutMs: wechat.timeout,
    retry: { maxAttempts: wechat.retry.maxAttempts, maxElapsedMs: wechat.retry.maxElapsed, ...BACKOFF_DELAYS, ...options.retryPolicy },
  });
  const clients = new Map<string, { api: AccountApi; tokens: TokenCache }>();
  const add = (account: ResolvedAccount): AccountApi => {
    if (account.appsecret) redactor.add(account.appsecret);
    const source = createTokenSource(account, http, redactor);
    const tokens = new TokenCache({ appid: account.appid, source, clock, metrics, redactor });
    const api = new AccountApi({ appid: account.appid, http, tokens, clock, metrics });
    clients.set(account.appid, { tokens, api });
    return api;
  };
  for (const account of options.accounts) add(account);
  const clientOf = (appid: string): { api: AccountApi; tokens: TokenCache } => {
    const found = clients.get(appid);
    if (!found) throw new Error(`no WeChat client for ${appid}: not a configured account`);
    return found;
  };
  return {
    http,
    metrics,
    apiFor: (appid) => clientOf(appid).api,
    tokensFor: (appid) => clientOf(appid).tokens,
    add,
    remove: (appid) => void clients.delete(appid),
    close: () => http.close(),
  };
}

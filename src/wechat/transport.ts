import { EnvHttpProxyAgent, interceptors, type Dispatcher } from 'undici';

export interface TransportOptions {
  /** Connect timeout, and the time allowed for headers and for the body to start/keep flowing. */
  readonly timeoutMs: number;
  /** Proxy for all WeChat calls (`wechat.proxy`); overrides HTTP(S)_PROXY from `env`. */
  readonly proxy?: string | undefined;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read from; injected so tests never inherit the host's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How long an idle keep-alive socket is kept. @default 30000 */
  readonly keepAliveMs?: number;
}

function envValue(env: TransportOptions['env'], name: string): string {
  return env[name.toLowerCase()] ?? env[name] ?? '';
}

/**
 * One undici dispatcher for every WeChat call: keep-alive, connect/header/body timeouts, proxy
 * from config or environment (undici's EnvHttpProxyAgent honours NO_PROXY), and undici's retry
 * interceptor for what it is made for: a quick second try on the same origin after a stale
 * keep-alive socket or a gateway error. Longer waits, WeChat's own "busy" errcodes and fail-over
 * to the next base URL are the client's job (they need the JSON body and the list of domains).
 */
export function createDispatcher(options: TransportOptions): Dispatcher {
  const proxy = options.proxy ?? '';
  const agent = new EnvHttpProxyAgent({
    // Empty strings (never undefined) so undici does not fall back to process.env behind our back.
    httpProxy: proxy || envValue(options.env, 'HTTP_PROXY'),
    httpsProxy: proxy || envValue(options.env, 'HTTPS_PROXY') || envValue(options.env, 'HTTP_PROXY'),
    noProxy: envValue(options.env, 'NO_PROXY'),
    connect: { timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
  });
  return agent.compose(
    interceptors.retry({
      maxRetries: 1,
      minTimeout: 200,
      maxTimeout: 1_000,
      // Every call here is a read: datacube queries, stable_token in normal mode, a token URL.
      methods: ['GET', 'POST'],
      statusCodes: [502, 503, 504],
      // Not ECONNREFUSED / ENOTFOUND / timeouts: for those the next base URL is the better try.
      errorCodes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
    }),
  );
}

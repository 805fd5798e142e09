import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import {
  CallAbortedError,
  ExporterError,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  WechatApiError,
  errorClassOf,
  errorMessage,
  type ApiName,
} from '../errors.js';
import type { ApiMetrics, ApiOutcome } from './api-metrics.js';
import { BaseUrlSelector } from './base-urls.js';
import { callSignal } from './call-signal.js';
import { parseRetryAfter } from './retry-after.js';
import { backoffDelay, sleep, type RetryPolicy } from './retry-policy.js';

/** One logical call to WeChat. */
export interface WechatRequest {
  readonly api: ApiName;
  /** For the `appid` metric label. */
  readonly appid: string;
  readonly method: 'GET' | 'POST';
  /** Appended to each base URL, e.g. `/datacube/getinterfacesummary`. */
  readonly path: string;
  /** Query parameters; credentials among them never appear in messages. */
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** A full URL to call instead of the base URLs (an operator's token service). */
  readonly url?: string;
}

export interface WechatHttpClientOptions {
  /** `wechat.baseUrls`, in the order to try them. */
  readonly baseUrls: readonly string[];
  readonly dispatcher: Dispatcher;
  readonly metrics: ApiMetrics;
  readonly clock: Clock;
  /** Time allowed for one HTTP exchange. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** For jitter; tests pass a fixed one. @default Math.random */
  readonly random?: () => number;
  /** How long the domain that answered stays first. @default 600000 */
  readonly stickyMs?: number;
}

/** JSON answers larger than this are not WeChat's (a day's rows are a few kilobytes). */
const MAX_BODY_BYTES = 1 << 20;
/** WeChat's answers; other keys may come along. */
export type WechatJson = Readonly<Record<string, unknown>>;

/**
 * Sends calls to WeChat: JSON in and out, fail-over between base URLs, bounded retries with
 * jittered backoff for what a retry can fix, every exchange counted and timed. Errors are the
 * typed ones of `errors.ts` and never carry a credential.
 */
export class WechatHttpClient {
  readonly #options: WechatHttpClientOptions;
  readonly #selector: BaseUrlSelector;
  readonly #policy: RetryPolicy;
  readonly #closing = new AbortController();

  constructor(options: WechatHttpClientOptions) {
    this.#options = options;
    // Each call in flight listens for the client closing (./call-signal.ts) and stops when it ends:
    // bounded by the calls in flight (concurrency, a few each), not a leak to warn about.
    setMaxListeners(0, this.#closing.signal);
    this.#selector = new BaseUrlSelector(options.baseUrls, options.clock, options.stickyMs);
    this.#policy = options.retry;
  }

  /** Resolves with the JSON object of a successful answer (no errcode, or errcode 0). */
  async call(req: WechatRequest): Promise<WechatJson> {
    const bases = req.url ? [req.url] : this.#selector.order();
    const started = performance.now();
    let next = 0;
    for (let attempt = 1; ; attempt++) {
      const base = bases[next % bases.length] as string;
      try {
        return await this.#exchange(base, req);
      } catch (err) {
        const spent = performance.now() - started;
        if (errorClassOf(err) !== 'retry' || attempt >= this.#policy.maxAttempts || spent >= this.#policy.maxElapsedMs) {
          throw err;
        }
        // A server that asks for longer than one backoff, or than this call has left, gets its
        // wait at the account level (the next poll is not sooner than Retry-After), not here.
        const retryAfter = err instanceof HttpStatusError ? (err.retryAfterMs ?? 0) : 0;
        if (retryAfter > this.#policy.maxDelayMs || retryAfter >= this.#policy.maxElapsedMs - spent) throw err;
        // A domain that is down or failing goes to the back of the line: try the next one at once,
        // and wait only once every domain has been tried in this round.
        if (err instanceof NetworkError || err instanceof HttpStatusError) {
          next++;
          if (next % bases.length !== 0) continue;
        }
        const backoff = Math.max(retryAfter, backoffDelay(this.#policy, attempt, this.#options.random));
        const delay = Math.min(backoff, this.#policy.maxElapsedMs - spent);
        await sleep(delay, this.#closing.signal).catch((reason: unknown) => {
          throw new CallAbortedError(req.api, { cause: reason });
        });
      }
    }
  }

  /** Abandons calls in flight and closes the connections. */
  async close(): Promise<void> {
    this.#closing.abort(new CallAbortedError('wechat client'));
    await this.#options.dispatcher.destroy().catch(() => undefined);
  }

  async #exchange(base: string, req: WechatRequest): Promise<WechatJson> {
    const { api, appid } = req;
    const t0 = performance.now();
    let outcome: ApiOutcome = 'network_error';
    let errcode: number | undefined;
    try {
      const json = await this.#send(base, req);
      const code = json['errcode'];
      if (code !== undefined && code !== 0) {
        outcome = 'wechat_error';
        if (typeof code !== 'number' || !Number.isInteger(code)) {
          outcome = 'invalid_response';
          throw new InvalidResponseError(api, 'errcode is not an integer');
        }
        errcode = code;
        const errmsg = typeof json['errmsg'] === 'string' ? json['errmsg'] : '';
        throw new WechatApiError(api, code, errmsg);
      }
      outcome = 'ok';
      return json;
    } catch (err) {
      if (err instanceof HttpStatusError) outcome = 'http_error';
      else if (err instanceof InvalidResponseError) outcome = 'invalid_response';
      else if (err instanceof CallAbortedError) outcome = 'aborted';
      throw err;
    } finally {
      this.#options.metrics.record(appid, api, outcome, (performance.now() - t0) / 1000, errcode);
    }
  }

  /** One HTTP exchange; the answer parsed as a JSON object, or a typed error. */
  async #send(base: string, req: WechatRequest): Promise<WechatJson> {
    const url = new URL(req.url ? base : `${base}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const call = callSignal(this.#closing.signal, this.#options.timeoutMs);
    let status: number;
    let text: string;
    let retryAfterMs: number | undefined;
    try {
      const res = await request(url, {
        dispatcher: this.#options.dispatcher,
        method: req.method,
        headers:
          req.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: req.body === undefined ? null : JSON.stringify(req.body),
        signal: call.signal,
      });
      status = res.statusCode;
      retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
      text = await readLimited(res.body, MAX_BODY_BYTES, req.api);
    } catch (err) {
      throw this.#transportError(req.api, err, call.timedOut());
    } finally {
      call.release();
    }
    if (status >= 500) throw new HttpStatusError(req.api, status, { retryAfterMs });
    this.#selector.answered(base);
    if (status !== 200) throw new HttpStatusError(req.api, status, { retryAfterMs });
    return parseJsonObject(req.api, text);
  }

  #transportError(api: ApiName, err: unknown, timedOut: boolean): ExporterError {
    if (err instanceof ExporterError) return err;
    if (this.#closing.signal.aborted) return new CallAbortedError(api, { cause: err });
    if (timedOut) return new NetworkError(api, `no answer within ${this.#options.timeoutMs} ms`, { cause: err });
    if (err instanceof undiciErrors.RequestRetryError) {
      // The retry interceptor could not resume a body that broke off after a 2xx status (the
      // server ignores Range): the answer was cut off, a network fault, not an HTTP error.
      if (err.statusCode < 300) return new NetworkError(api, 'answer cut off after its headers (connection lost mid-body)', { cause: err });
      return new HttpStatusError(api, err.statusCode, {
        cause: err,
        retryAfterMs: parseRetryAfter(err.headers?.['retry-after'], Date.now()),
      });
    }
    const code = (err as { code?: unknown }).code;
    const message = errorMessage(err);
    return new NetworkError(api, typeof code === 'string' ? `${code}: ${message}` : message, { cause: err });
  }
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number, api: ApiName): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new InvalidResponseError(api, `body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as a JSON object, or an invalid_response error that describes it without quoting it. */
export function parseJsonObject(api: ApiName, text: string): WechatJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const trimmed = text.trimStart();
    const kind = trimmed.startsWith('<') ? 'an HTML/XML page' : trimmed === '' ? 'empty' : 'not JSON (truncated or garbled)';
    throw new InvalidResponseError(api, `body is ${kind} (${text.length} bytes)`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidResponseError(api, `body is JSON ${Array.isArray(value) ? 'array' : typeof value}, expected an object`);
  }
  return value as WechatJson;
}

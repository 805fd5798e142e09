/**
 * The simulator's public vocabulary. It imitates WeChat's token and datacube APIs closely enough
 * that the exporter's client code cannot tell the difference, and lets tests steer it.
 */
import type { Clock } from '../clock.js';

/** What an account's traffic typically looks like. */
export interface SimulatorProfile {
  /** Typical callbacks per day (busy days more, weekends fewer). @default 20000 */
  readonly dailyCallbacks?: number;
  /** Fraction of callbacks that fail, 0..1. @default 0.002 */
  readonly failureRatio?: number;
  /** Typical average latency in ms. @default 180 */
  readonly latencyMs?: number;
}

export interface SimulatorAccount {
  readonly appid: string;
  readonly secret: string;
  readonly profile?: SimulatorProfile;
}

export interface SimulatorOptions {
  readonly accounts: readonly SimulatorAccount[];
  /**
   * Decides "today" and "yesterday", the 08:00 readiness, token expiry and the quota day.
   * @default systemClock
   */
  readonly clock?: Clock;
  /** Lifetime of every issued access token. @default 7200 */
  readonly tokenTtlSeconds?: number;
}

export type SimApi = 'token' | 'stable_token' | 'getinterfacesummary' | 'getinterfacesummaryhour' | 'quota_get';

/** One request the simulator received. */
export interface SimulatorCall {
  readonly api: SimApi | 'unknown';
  /** From the query or body for token calls, resolved from the access token for data calls. */
  readonly appid?: string;
  readonly beginDate?: string;
  readonly endDate?: string;
  /** stable_token only. */
  readonly forceRefresh?: boolean;
  /** HTTP status sent; 0 when no answer was sent (timeout, reset, or closed while waiting). */
  readonly status: number;
  /** The errcode sent, if the answer carried one. */
  readonly errcode?: number;
  /** Clock time at arrival. */
  readonly at: number;
  /** True when the request line used the absolute form a forward proxy sends (`GET http://host/...`). */
  readonly viaProxy?: boolean;
}

export type Fault =
  /** HTTP 200 `{"errcode":N,"errmsg":...}`. */
  | { readonly kind: 'errcode'; readonly errcode: number; readonly errmsg?: string }
  /** Any status, e.g. 502 with a proxy's HTML page (the default body). */
  | { readonly kind: 'http'; readonly status: number; readonly body?: string }
  /** HTTP 200 with an HTML error page. */
  | { readonly kind: 'html' }
  /** HTTP 200, the normal JSON answer cut in the middle (Content-Length matches the cut body). */
  | { readonly kind: 'truncated' }
  /** HTTP 200 with exactly this body. contentType @default 'application/json; encoding=utf-8' */
  | { readonly kind: 'body'; readonly body: string; readonly contentType?: string }
  /** Accept the request and never answer, until the client gives up or close() is called. */
  | { readonly kind: 'timeout' }
  /** Answer normally after a real-time delay. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Destroy the socket without answering. */
  | { readonly kind: 'reset' }
  /** `{"list":[]}`, as WeChat sometimes answers for data it has not computed yet. */
  | { readonly kind: 'empty' };

/** Which calls a fault applies to, and how many times. */
export interface FaultOptions {
  readonly api?: SimApi;
  readonly appid?: string;
  /** A positive integer, or Infinity. @default 1 */
  readonly times?: number;
}

/** Persistent per-account behaviour, changed with `configure()`. */
export interface AccountSettings {
  /** `ref_hour` as 0..23, or as 0, 100, ..., 2300 like WeChat's older hourly APIs. @default 'plain' */
  readonly hourEncoding: 'plain' | 'hundreds';
  /** Add rows of dates outside the requested range, as WeChat did in 2022. @default false */
  readonly extraRowsFromOtherDates: boolean;
  /** false: token and data calls answer 40164 (caller IP not whitelisted). @default true */
  readonly ipWhitelisted: boolean;
  /** Calls allowed per API per Beijing day; beyond it 45009. @default Infinity */
  readonly dailyQuota: number;
  /** Beijing hour from which yesterday's data is served (10 = "two hours late"). @default 8 */
  readonly readyHour: number;
  /** false: data calls answer 48001 (API not authorised). @default true */
  readonly apiAuthorized: boolean;
}

export const DEFAULT_SETTINGS: AccountSettings = Object.freeze({
  hourEncoding: 'plain',
  extraRowsFromOtherDates: false,
  ipWhitelisted: true,
  dailyQuota: Infinity,
  readyHour: 8,
  apiAuthorized: true,
});

/** A `getinterfacesummary` row. */
export interface SimDailyRow {
  readonly ref_date: string;
  readonly callback_count: number;
  readonly fail_count: number;
  readonly total_time_cost: number;
  readonly max_time_cost: number;
}

/** A `getinterfacesummaryhour` row; `ref_hour` is 0..23 here, whatever the wire encoding. */
export interface SimHourlyRow extends SimDailyRow {
  readonly ref_hour: number;
}

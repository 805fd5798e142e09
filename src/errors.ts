/**
 * Every error the exporter raises, in one module. Each has a stable `code` (also used as the
 * `outcome` label of `wechat_exporter_api_requests_total` where it applies) and keeps its `cause`.
 * No message built here ever contains an appsecret or an access_token.
 */

export interface ExporterErrorOptions {
  readonly cause?: unknown;
  /** Whether a retry can help. @default 'bug' (never retried) */
  readonly errorClass?: ErrorClass;
}

export class ExporterError extends Error {
  readonly code: string;
  /** What a caller should do about it (see ErrorClass); callers read this, never the code string. */
  readonly errorClass: ErrorClass;

  constructor(code: string, message: string, options: ExporterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.errorClass = options.errorClass ?? 'bug';
  }
}

/** The WeChat API a call went to, as used in the `api` metric label. */
export type ApiName = 'getinterfacesummary' | 'getinterfacesummaryhour' | 'token' | 'stable_token' | 'token_file' | 'token_url';

/**
 * What a caller should do about a WeChat error:
 * - `retry`: transient, back off and try again;
 * - `token`: the access token was rejected, fetch a new one and retry once;
 * - `quota`: the account's daily quota is spent, no more calls until the next Beijing day;
 * - `configuration`: the operator must fix something, retrying cannot help;
 * - `bug`: the exporter sent something wrong, retrying cannot help.
 */
export type ErrorClass = 'retry' | 'token' | 'quota' | 'configuration' | 'bug';

/** Why an account is down: the `reason` label of `wechat_exporter_account_error_info`. */
export type DownReason =
  | 'ip_not_whitelisted'
  | 'invalid_credentials'
  | 'api_unauthorized'
  | 'quota_exhausted'
  | 'wechat_error'
  | 'http_error'
  | 'network_error'
  | 'invalid_response'
  | 'token_source_error'
  | 'internal_error';

interface ErrcodeInfo {
  readonly errorClass: ErrorClass;
  /** What the operator should do, when there is something to say. */
  readonly hint?: string;
  /** The down reason, when more precise than `wechat_error`. */
  readonly reason?: DownReason;
}

// https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
const ERRCODES: ReadonlyMap<number, ErrcodeInfo> = new Map<number, ErrcodeInfo>([
  [-1, { errorClass: 'retry', hint: 'WeChat is busy; the call is retried with backoff' }],
  [45011, { errorClass: 'retry', hint: 'API called too frequently; the call is retried with backoff' }],
  [40001, { errorClass: 'token' }],
  [40014, { errorClass: 'token' }],
  [42001, { errorClass: 'token' }],
  [
    45009,
    { errorClass: 'quota', hint: 'daily API quota reached; no more calls for this account until 00:00 Beijing', reason: 'quota_exhausted' },
  ],
  [40013, { errorClass: 'configuration', hint: "invalid appid: check the account's appid in the config", reason: 'invalid_credentials' }],
  [
    40125,
    {
      errorClass: 'configuration',
      hint: 'invalid appsecret: check the secret (secretEnv / secretFile) for this account',
      reason: 'invalid_credentials',
    },
  ],
  [
    40243,
    {
      errorClass: 'configuration',
      hint: "the appsecret is frozen: reset it in the account's basic configuration and update the secret",
      reason: 'invalid_credentials',
    },
  ],
  [
    40164,
    {
      errorClass: 'configuration',
      hint: "this server's IP is not whitelisted: whitelist this server's egress IP in the account's basic configuration (IP whitelist)",
      reason: 'ip_not_whitelisted',
    },
  ],
  [
    89503,
    {
      errorClass: 'configuration',
      hint: 'WeChat flagged this caller IP as risky: an administrator must confirm the call in the Official Accounts Platform, or whitelist the egress IP',
      reason: 'ip_not_whitelisted',
    },
  ],
  [
    48001,
    {
      errorClass: 'configuration',
      hint: 'the API is not authorised for this account: the account must be verified and, for third-party platforms, grant permission set 3 (account service)',
      reason: 'api_unauthorized',
    },
  ],
  [
    50001,
    {
      errorClass: 'configuration',
      hint: 'the API is not authorised for this account: the account must be verified and, for third-party platforms, grant permission set 3 (account service)',
      reason: 'api_unauthorized',
    },
  ],
  [40002, { errorClass: 'bug', hint: 'invalid grant_type sent by the exporter' }],
  [41001, { errorClass: 'bug', hint: 'access_token missing from the request' }],
  [41002, { errorClass: 'bug', hint: 'appid missing from the request' }],
  [41004, { errorClass: 'bug', hint: 'appsecret missing from the request' }],
  [44002, { errorClass: 'bug', hint: 'empty POST body' }],
  [47001, { errorClass: 'bug', hint: 'malformed POST body' }],
  [61500, { errorClass: 'bug', hint: 'date format error in the request' }],
  [61501, { errorClass: 'bug', hint: 'date range error in the request' }],
]);

/**
 * Unknown codes get a safe default: `bug` (never retried in a loop, never burns quota), and the
 * account shows `account_up 0` with the code, so an operator sees it.
 */
export function classifyErrcode(errcode: number): ErrcodeInfo {
  return ERRCODES.get(errcode) ?? { errorClass: 'bug', hint: 'unknown WeChat error code' };
}

/** A WeChat answer `{"errcode":N,"errmsg":"..."}` with N ≠ 0. */
export class WechatApiError extends ExporterError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly api: ApiName;
  readonly hint: string | undefined;
  readonly reason: DownReason;

  constructor(api: ApiName, errcode: number, errmsg: string) {
    const { errorClass, hint, reason } = classifyErrcode(errcode);
    super('wechat_error', `${api}: WeChat error ${errcode} (${errmsg})${hint ? `: ${hint}` : ''}`, { errorClass });
    this.api = api;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.hint = hint;
    this.reason = reason ?? 'wechat_error';
  }
}

/** An HTTP status other than 200. 5xx are retryable and trigger fail-over. */
export class HttpStatusError extends ExporterError {
  readonly status: number;
  readonly api: ApiName;

  constructor(api: ApiName, status: number, options?: { cause?: unknown }) {
    super('http_error', `${api}: HTTP ${status} from WeChat`, {
      ...options,
      errorClass: status >= 500 || status === 429 ? 'retry' : 'bug',
    });
    this.api = api;
    this.status = status;
  }
}

/** Connection refused or reset, DNS failure, proxy failure, or a timeout. Retryable. */
export class NetworkError extends ExporterError {
  readonly api: ApiName;

  constructor(api: ApiName, detail: string, options?: { cause?: unknown }) {
    super('network_error', `${api}: ${detail}`, { ...options, errorClass: 'retry' });
    this.api = api;
  }
}

/** An answer that is not what the API documents: HTML, truncated JSON, wrong field types... */
export class InvalidResponseError extends ExporterError {
  readonly api: ApiName;

  constructor(api: ApiName, detail: string, options?: { cause?: unknown }) {
    super('invalid_response', `${api}: invalid response: ${detail}`, { ...options, errorClass: 'retry' });
    this.api = api;
  }
}

/** The call was abandoned because the exporter is shutting down. Never retried, never an account error. */
export class CallAbortedError extends ExporterError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('aborted', `${what}: abandoned (shutting down)`, options);
  }
}

/** The exporter asked for dates WeChat cannot serve. A programming error: no request is sent. */
export class DateRangeError extends ExporterError {
  constructor(message: string) {
    super('invalid_date_range', message);
  }
}

/** No call was made because the account's daily quota is spent until `until` (epoch ms). */
export class QuotaExhaustedError extends ExporterError {
  readonly until: number;

  constructor(until: number) {
    super('quota_exhausted', `daily API quota reached; no calls until ${new Date(until).toISOString()}`, { errorClass: 'quota' });
    this.until = until;
  }
}

/** The token source (file, URL) could not give a token. */
export class TokenSourceError extends ExporterError {
  constructor(message: string, errorClass: ErrorClass, options?: { cause?: unknown }) {
    super('token_source_error', message, { ...options, errorClass });
  }
}

/** A bad command line (a flag's value): the message names the flag and what to change (exit code 2). */
export class UsageError extends ExporterError {
  constructor(message: string) {
    super('usage', message, { errorClass: 'configuration' });
  }
}

/** Configuration problems, each naming its field path. */
export class ConfigError extends ExporterError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { errorClass: 'configuration' });
    this.problems = problems;
  }
}

/** The store file cannot be used (not SQLite, another application's database, newer schema). */
export class StoreError extends ExporterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unusable', message, { ...options, errorClass: 'configuration' });
  }
}

/** The class of any error, for deciding whether to retry; errors not raised here are bugs. */
export function errorClassOf(err: unknown): ErrorClass {
  return err instanceof ExporterError ? err.errorClass : 'bug';
}

/**
 * Every error the exporter raises, in one module. Each has a stable `code` (also used as the
 * `outcome` label of `wechat_exporter_api_requests_total` where it applies) and keeps its `cause`.
 * No message built here ever contains an appsecret or an access_token.
 */

export class ExporterError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
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

interface ErrcodeInfo {
  readonly errorClass: ErrorClass;
  /** What the operator should do, when there is something to say. */
  readonly hint?: string;
}

// https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
const ERRCODES: ReadonlyMap<number, ErrcodeInfo> = new Map<number, ErrcodeInfo>([
  [-1, { errorClass: 'retry', hint: 'WeChat is busy; the call is retried with backoff' }],
  [45011, { errorClass: 'retry', hint: 'API called too frequently; the call is retried with backoff' }],
  [40001, { errorClass: 'token' }],
  [40014, { errorClass: 'token' }],
  [42001, { errorClass: 'token' }],
  [45009, { errorClass: 'quota', hint: 'daily API quota reached; no more calls for this account until 00:00 Beijing' }],
  [40013, { errorClass: 'configuration', hint: "invalid appid: check the account's appid in the config" }],
  [40125, { errorClass: 'configuration', hint: 'invalid appsecret: check the secret (secretEnv / secretFile) for this account' }],
  [
    40243,
    { errorClass: 'configuration', hint: "the appsecret is frozen: reset it in the account's basic configuration and update the secret" },
  ],
  [
    40164,
    {
      errorClass: 'configuration',
      hint: "this server's IP is not whitelisted: whitelist this server's egress IP in the account's basic configuration (IP whitelist)",
    },
  ],
  [
    89503,
    {
      errorClass: 'configuration',
      hint: 'WeChat flagged this caller IP as risky: an administrator must confirm the call in the Official Accounts Platform, or whitelist the egress IP',
    },
  ],
  [
    48001,
    {
      errorClass: 'configuration',
      hint: 'the API is not authorised for this account: the account must be verified and, for third-party platforms, grant permission set 3 (account service)',
    },
  ],
  [
    50001,
    {
      errorClass: 'configuration',
      hint: 'the API is not authorised for this account: the account must be verified and, for third-party platforms, grant permission set 3 (account service)',
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
  readonly errorClass: ErrorClass;
  readonly hint: string | undefined;

  constructor(api: ApiName, errcode: number, errmsg: string) {
    const { errorClass, hint } = classifyErrcode(errcode);
    super('wechat_error', `${api}: WeChat error ${errcode} (${errmsg})${hint ? `: ${hint}` : ''}`);
    this.api = api;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.errorClass = errorClass;
    this.hint = hint;
  }
}

/** An HTTP status other than 200. 5xx are retryable and trigger fail-over. */
export class HttpStatusError extends ExporterError {
  readonly status: number;
  readonly api: ApiName;
  readonly errorClass: ErrorClass;

  constructor(api: ApiName, status: number, options?: { cause?: unknown }) {
    super('http_error', `${api}: HTTP ${status} from WeChat`, options);
    this.api = api;
    this.status = status;
    this.errorClass = status >= 500 || status === 429 ? 'retry' : 'bug';
  }
}

/** Connection refused or reset, DNS failure, proxy failure, or a timeout. Retryable. */
export class NetworkError extends ExporterError {
  readonly api: ApiName;
  readonly errorClass: ErrorClass = 'retry';

  constructor(api: ApiName, detail: string, options?: { cause?: unknown }) {
    super('network_error', `${api}: ${detail}`, options);
    this.api = api;
  }
}

/** An answer that is not what the API documents: HTML, truncated JSON, wrong field types... */
export class InvalidResponseError extends ExporterError {
  readonly api: ApiName;
  readonly errorClass: ErrorClass = 'retry';

  constructor(api: ApiName, detail: string, options?: { cause?: unknown }) {
    super('invalid_response', `${api}: invalid response: ${detail}`, options);
    this.api = api;
  }
}

/** The call was abandoned because the exporter is shutting down. Never retried, never an account error. */
export class CallAbortedError extends ExporterError {
  readonly errorClass: ErrorClass = 'bug';

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
  readonly errorClass: ErrorClass = 'quota';

  constructor(until: number) {
    super('quota_exhausted', `daily API quota reached; no calls until ${new Date(until).toISOString()}`);
    this.until = until;
  }
}

/** The token source (file, URL) could not give a token. */
export class TokenSourceError extends ExporterError {
  readonly errorClass: ErrorClass;

  constructor(message: string, errorClass: ErrorClass, options?: { cause?: unknown }) {
    super('token_source_error', message, options);
    this.errorClass = errorClass;
  }
}

/** A bad `backfill` command line: the message says what to change (exit code 2). */
export class BackfillUsageError extends ExporterError {
  constructor(message: string) {
    super('backfill_usage', message);
  }
}

/** Configuration problems, each naming its field path. */
export class ConfigError extends ExporterError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** The store file cannot be used (not SQLite, another application's database, newer schema). */
export class StoreError extends ExporterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unusable', message, options);
  }
}

/** The class of any error, for deciding whether to retry; unknown errors are treated as bugs. */
export function errorClassOf(err: unknown): ErrorClass {
  if (err && typeof err === 'object' && 'errorClass' in err) {
    return (err as { errorClass: ErrorClass }).errorClass;
  }
  return 'bug';
}

import Database from 'better-sqlite3';

/**
 * Every error the exporter raises, in one module. Each has a stable `code` (also used as the
 * `outcome` label of `wechat_exporter_api_requests_total` where it applies) and keeps its `cause`.
 * No message built here ever contains an appsecret or an access_token.
 */
import { classifyErrcode, type DownReason, type ErrorClass } from './errcodes.js';

export type { DownReason, ErrorClass } from './errcodes.js';

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
export type ApiName =
  'getinterfacesummary' | 'getinterfacesummaryhour' | 'token' | 'stable_token' | 'token_file' | 'token_url' | 'quota_get';

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
  /** The server's `Retry-After`, in ms from when the answer came, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(api: ApiName, status: number, options?: { cause?: unknown; retryAfterMs?: number | undefined }) {
    const after = options?.retryAfterMs;
    super('http_error', `${api}: HTTP ${status} from WeChat${after === undefined ? '' : ` (Retry-After ${Math.ceil(after / 1000)} s)`}`, {
      cause: options?.cause,
      errorClass: status >= 500 || status === 429 ? 'retry' : 'bug',
    });
    this.api = api;
    this.status = status;
    this.retryAfterMs = after;
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

/** The message of anything thrown, for logs and reports (never a stack, never "[object Object]"). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

/** The recovery an operator runs on a damaged store, as the refusals quote it. */
export function storeRecoveryHint(path: string): string {
  return `stop the exporter and run \`wechat-interface-exporter store recover --storage.path=${path}\` (moves the damaged file aside, keeps every day SQLite can still read whole; the lookback window is fetched again from WeChat at the next start, older days with \`backfill\`)`;
}

/** The store is damaged: SQLite finds it corrupt, or a day marked stored lacks rows. Never read as zeros. */
export class StoreDamagedError extends StoreError {
  override readonly code = 'store_damaged';

  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(`storage ${path} is damaged: ${detail}; ${storeRecoveryHint(path)}`, options);
  }
}

/** Another process (exporter, backfill, recover) owns the store. */
export class StoreInUseError extends StoreError {
  override readonly code = 'store_in_use';

  constructor(path: string, owner: string | undefined, options?: { cause?: unknown }) {
    super(
      `store ${path} is in use by another exporter (${owner ?? 'pid unknown'}); one store has one owner: stop that one, or give this one its own --storage.path`,
      options,
    );
  }
}

/**
 * SQLite result codes a later try can get past: I/O errors (a disk that came back), a busy or
 * locked database, a full disk once space is freed, a file system remounted read-only and fixed.
 * https://www.sqlite.org/rescode.html
 */
const TRANSIENT_SQLITE = /^SQLITE_(IOERR|BUSY|LOCKED|FULL|READONLY|CANTOPEN)(_|$)/;

/**
 * The class of any error, for deciding whether to retry; errors not raised here are bugs, but for
 * SQLite's own (better-sqlite3 throws them from every store call), classed by their result code.
 */
export function errorClassOf(err: unknown): ErrorClass {
  if (err instanceof Database.SqliteError) return TRANSIENT_SQLITE.test(err.code) ? 'retry' : 'bug';
  return err instanceof ExporterError ? err.errorClass : 'bug';
}

/**
 * WeChat's error codes as the exporter reads them: what a retry can do, what the operator should
 * do, and why the account is down. One table, used by WechatApiError (errors.ts).
 */

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
  | 'store_error'
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

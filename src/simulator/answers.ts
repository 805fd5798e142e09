/**
 * What the simulator sends back, before it reaches the socket. Bodies and headers mimic WeChat:
 * compact JSON, `Content-Type: application/json; encoding=utf-8` (sic), HTTP 200 even for errors,
 * and an errmsg ending with a request id.
 */
import { randomBytes } from 'node:crypto';

export const WECHAT_JSON = 'application/json; encoding=utf-8';
const HTML = 'text/html; charset=utf-8';

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  /** The errcode in the body, for the call log. */
  readonly errcode?: number;
}

/** errmsg texts as WeChat writes them (the request id is appended). */
const ERRMSGS: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40013: 'invalid appid',
  40125: 'invalid appsecret',
  40164: 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  61500: 'date format error',
  61501: 'date range error',
};

export function jsonAnswer(value: unknown, status = 200): Answer {
  return { status, body: JSON.stringify(value), contentType: WECHAT_JSON };
}

export function errcodeAnswer(errcode: number, errmsg?: string, status = 200): Answer {
  const message = `${errmsg ?? ERRMSGS[errcode] ?? 'simulated error'} rid: ${requestId()}`;
  return { status, body: JSON.stringify({ errcode, errmsg: message }), contentType: WECHAT_JSON, errcode };
}

export function htmlAnswer(status: number, body?: string): Answer {
  return { status, body: body ?? htmlErrorPage(status), contentType: HTML };
}

/** Any status; the body is served as JSON when it looks like JSON, else as HTML. */
export function httpAnswer(status: number, body?: string): Answer {
  if (body?.trimStart().startsWith('{')) return { status, body, contentType: WECHAT_JSON };
  return htmlAnswer(status, body);
}

export function rawAnswer(body: string, contentType = WECHAT_JSON): Answer {
  return { status: 200, body, contentType };
}

/** The normal answer cut in the middle, so it no longer parses as JSON. */
export function truncatedAnswer(answer: Answer): Answer {
  const cut = Math.max(1, Math.floor(answer.body.length / 2));
  return { status: 200, body: answer.body.slice(0, cut), contentType: answer.contentType };
}

/** What a gateway in front of WeChat (or a corporate proxy) serves when it has nothing better. */
function htmlErrorPage(status: number): string {
  const title = status === 200 ? 'System Error' : `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n`;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

function requestId(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16)}`;
}

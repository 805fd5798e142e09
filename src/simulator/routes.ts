/**
 * Which API a request is for, what the call log records about it, and its normal answer.
 * Like WeChat: HTTP 200 with an errcode for API-level problems, POST required for JSON APIs.
 */
import { errcodeAnswer, type Answer } from './answers.js';
import type { SimContext } from './context.js';
import { answerDatacube } from './datacube-api.js';
import { answerQuotaGet } from './quota-api.js';
import { field, stringField, type ParsedBody } from './request-body.js';
import { answerTokenRequest } from './token-api.js';
import type { TokenBook } from './tokens.js';
import type { SimApi } from './types.js';

const PATHS: Readonly<Record<string, SimApi>> = {
  '/cgi-bin/token': 'token',
  '/cgi-bin/stable_token': 'stable_token',
  '/datacube/getinterfacesummary': 'getinterfacesummary',
  '/datacube/getinterfacesummaryhour': 'getinterfacesummaryhour',
  '/cgi-bin/openapi/quota/get': 'quota_get',
};

export interface RoutedRequest {
  readonly api: SimApi | 'unknown';
  readonly appid?: string;
  readonly beginDate?: string;
  readonly endDate?: string;
  readonly forceRefresh?: boolean;
  /** The normal answer, computed when it is sent (a slow answer sees the clock of that moment). */
  answer(ctx: SimContext): Answer;
}

export function routeRequest(method: string, url: URL, body: ParsedBody, tokens: TokenBook): RoutedRequest {
  const api = PATHS[url.pathname.replace(/\/+$/, '')];
  if (api === undefined) {
    return { api: 'unknown', answer: () => errcodeAnswer(-1, `simulator: no API at ${url.pathname}`, 404) };
  }
  const query = url.searchParams;
  // WeChat's token endpoint takes its parameters from the query string whatever the method.
  const needsPost = api !== 'token';
  const wrongMethod = needsPost && method !== 'POST';

  if (api === 'token' || api === 'stable_token') {
    const classic = api === 'token';
    const params = classic
      ? {
          grantType: query.get('grant_type') ?? undefined,
          appid: query.get('appid') ?? undefined,
          secret: query.get('secret') ?? undefined,
        }
      : { grantType: field(body, 'grant_type'), appid: field(body, 'appid'), secret: field(body, 'secret') };
    const forceRefresh = classic ? undefined : field(body, 'force_refresh') === true;
    return {
      api,
      ...(typeof params.appid === 'string' && params.appid !== '' ? { appid: params.appid } : {}),
      ...(forceRefresh !== undefined ? { forceRefresh } : {}),
      answer: (ctx) => {
        if (wrongMethod) return errcodeAnswer(43002);
        if (!classic && body.kind === 'empty') return errcodeAnswer(44002);
        if (!classic && body.kind === 'invalid') return errcodeAnswer(47001);
        return answerTokenRequest(ctx, { api, ...params, forceRefresh: forceRefresh ?? false });
      },
    };
  }

  const token = query.get('access_token') ?? undefined;
  const appid = token ? tokens.ownerOf(token) : undefined;
  const beginDate = stringField(body, 'begin_date');
  const endDate = stringField(body, 'end_date');
  return {
    api,
    ...(appid !== undefined ? { appid } : {}),
    ...(beginDate !== undefined ? { beginDate } : {}),
    ...(endDate !== undefined ? { endDate } : {}),
    answer: (ctx) =>
      wrongMethod ? errcodeAnswer(43002) : api === 'quota_get' ? answerQuotaGet(ctx, token, body) : answerDatacube(ctx, api, token, body),
  };
}

/**
 * `/datacube/getinterfacesummary` and `/datacube/getinterfacesummaryhour`.
 * https://developers.weixin.qq.com/doc/offiaccount/Analytics/Interface_Analysis.html
 */
import {
  addDays,
  beijingDateOf,
  daysBetween,
  eachDay,
  EARLIEST_DATE,
  isBeijingDate,
  startOfBeijingDay,
  yesterdayInBeijing,
} from '../dates.js';
import type { SimulatedAccount } from './accounts.js';
import { errcodeAnswer, jsonAnswer, type Answer } from './answers.js';
import type { SimContext } from './context.js';
import { field, type ParsedBody } from './request-body.js';
import { simulatedDay, simulatedHours } from './traffic.js';

export type DataApi = 'getinterfacesummary' | 'getinterfacesummaryhour';

/** Days one request may cover ("maximum time span"). */
export const MAX_SPAN_DAYS: Readonly<Record<DataApi, number>> = { getinterfacesummary: 30, getinterfacesummaryhour: 1 };

/**
 * WeChat's verdict on a date range at `now`: 0 if acceptable, 61500 if a date is not
 * `YYYY-MM-DD`, 61501 if the range is reversed, too long, reaches today, or starts before the
 * datacube's first day.
 */
export function dateRangeErrcode(api: DataApi, begin: unknown, end: unknown, now: number): 0 | 61500 | 61501 {
  if (!isBeijingDate(begin) || !isBeijingDate(end)) return 61500;
  const span = daysBetween(begin, end) + 1;
  if (span < 1 || span > MAX_SPAN_DAYS[api]) return 61501;
  if (end > yesterdayInBeijing(now) || begin < EARLIEST_DATE) return 61501;
  return 0;
}

/** The rows WeChat lists for an accepted range, in its wire format. */
export function datacubeList(api: DataApi, account: SimulatedAccount, begin: string, end: string, now: number): object[] {
  const yesterday = yesterdayInBeijing(now);
  const readySince = startOfBeijingDay(beijingDateOf(now)) + account.settings.readyHour * 3_600_000;
  const ready = (date: string): boolean => date !== yesterday || now >= readySince;
  const days = eachDay(begin, end).filter(ready);
  // In 2022 WeChat also returned rows of other dates; the day before the range stands for them.
  const before = addDays(begin, -1);
  const extra = account.settings.extraRowsFromOtherDates && before >= EARLIEST_DATE ? [before] : [];

  if (api === 'getinterfacesummary') {
    return [...extra, ...days].map((date) => simulatedDay(account.appid, date, account.profile)).filter((row) => row.callback_count > 0);
  }
  const hundreds = account.settings.hourEncoding === 'hundreds';
  return [...days, ...extra].flatMap((date) =>
    simulatedHours(account.appid, date, account.profile).map((row) => ({
      ref_date: row.ref_date,
      ref_hour: hundreds ? row.ref_hour * 100 : row.ref_hour,
      callback_count: row.callback_count,
      fail_count: row.fail_count,
      total_time_cost: row.total_time_cost,
      max_time_cost: row.max_time_cost,
    })),
  );
}

/**
 * The checks every API called with an access token makes first, in WeChat's order: a token, a
 * valid one, a known account, a whitelisted caller IP. The account, or the error answer.
 */
export function tokenHolder(ctx: SimContext, token: string | undefined): SimulatedAccount | Answer {
  if (token === undefined || token === '') return errcodeAnswer(41001);
  const check = ctx.tokens.check(token, ctx.now);
  if (!check.ok) return errcodeAnswer(check.errcode);
  const account = ctx.accounts.get(check.appid);
  if (!account) return errcodeAnswer(40001);
  if (!account.settings.ipWhitelisted) return errcodeAnswer(40164);
  return account;
}

export function isAnswer(x: SimulatedAccount | Answer): x is Answer {
  return 'body' in x;
}

export function answerDatacube(ctx: SimContext, api: DataApi, token: string | undefined, body: ParsedBody): Answer {
  const account = tokenHolder(ctx, token);
  if (isAnswer(account)) return account;
  if (!ctx.quota.take(account.appid, api, ctx.now, account.settings.dailyQuota)) return errcodeAnswer(45009);
  if (!account.settings.apiAuthorized) return errcodeAnswer(48001);
  if (body.kind === 'empty') return errcodeAnswer(44002);
  if (body.kind === 'invalid') return errcodeAnswer(47001);

  const begin = field(body, 'begin_date');
  const end = field(body, 'end_date');
  const errcode = dateRangeErrcode(api, begin, end, ctx.now);
  if (errcode !== 0) return errcodeAnswer(errcode);
  return jsonAnswer({ list: datacubeList(api, account, begin as string, end as string, ctx.now) });
}

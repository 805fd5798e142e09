import express from 'express';
import { readHistory, type HistoryDay } from '../store/history.js';
import { figureValue } from '../figures.js';
import { checkDateRange } from '../date-range.js';
import type { BeijingDate, DayRange } from '../dates.js';
import { StoreDamagedError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { SummaryFigures } from '../figures.js';

export const SUMMARY_PATH = '/api/v1/summary';

/** Longest range per request: an hour row per hour stays under ~2,300 rows; days under 400. */
export const SUMMARY_MAX_DAYS = { hour: 92, day: 400 } as const;
export type Granularity = keyof typeof SUMMARY_MAX_DAYS;

const PARAMS = ['account', 'from', 'to', 'granularity'] as const;

export interface SummaryApiOptions {
  /** Read only: the route never calls WeChat. */
  readonly store: Store;
  /** The configured accounts, looked up at each request. */
  readonly accounts: () => readonly { readonly name: string; readonly appid: string }[];
  /** The first day the store's retention keeps: earlier days are listed as pruned, not missing. */
  readonly keptFrom?: () => BeijingDate;
}

export interface SummaryRow {
  readonly refDate: BeijingDate;
  /** Beijing hour 0..23 (granularity=hour only). */
  readonly refHour?: number;
  readonly callbackCount: number;
  readonly failCount: number;
  readonly totalTimeCostSeconds: number;
  readonly maxTimeCostSeconds: number;
  /** totalTimeCostSeconds / callbackCount; null without callbacks. */
  readonly latencyAverageSeconds: number | null;
}

export interface SummaryResponse {
  readonly account: string;
  readonly appid: string;
  readonly granularity: Granularity;
  readonly from: BeijingDate;
  readonly to: BeijingDate;
  readonly rows: readonly SummaryRow[];
  /** Days of the range not stored: not fetched yet, not published by WeChat yet, or failed. */
  readonly missingDays: readonly BeijingDate[];
  /**
   * Days of the range before `retentionKeptFrom`: deleted by the store's retention
   * (`--storage.retention.time` / `.size`), never fetched again by the daemon.
   */
  readonly prunedDays: readonly BeijingDate[];
  /** The first day the store's retention keeps now. */
  readonly retentionKeptFrom: BeijingDate | null;
  /** Stored days WeChat listed no traffic for (their rows are zeros). */
  readonly noTrafficDays: readonly BeijingDate[];
}

class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

function row(refDate: BeijingDate, f: SummaryFigures, refHour?: number): SummaryRow {
  return {
    refDate,
    ...(refHour === undefined ? {} : { refHour }),
    callbackCount: f.callbackCount,
    failCount: f.failCount,
    totalTimeCostSeconds: figureValue(f, 'time_cost_seconds') as number,
    maxTimeCostSeconds: figureValue(f, 'latency_max_seconds') as number,
    latencyAverageSeconds: figureValue(f, 'latency_average_seconds') ?? null,
  };
}

/** Stored days as rows (pure): one per day, or 24 per day with unlisted hours as zeros. */
export function summaryRows(days: readonly HistoryDay[], granularity: Granularity): SummaryRow[] {
  if (granularity === 'day') return days.map((d) => row(d.refDate, d.daily));
  return days.flatMap((d) => d.hours.map((h, hour) => row(d.refDate, h, hour)));
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(400, `${name}: give it once, as a plain value`);
  return v;
}

function parse(
  query: Record<string, unknown>,
  options: SummaryApiOptions,
): DayRange & { name: string; appid: string; granularity: Granularity } {
  const unknown = Object.keys(query).filter((k) => !(PARAMS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new BadRequest(400, `${unknown[0]}: unknown parameter (expected ${PARAMS.join(', ')})`);
  const name = single(query, 'account');
  if (!name) throw new BadRequest(400, 'account: required (the account name, as in the config)');
  const g = single(query, 'granularity') ?? 'day';
  if (g !== 'hour' && g !== 'day') throw new BadRequest(400, `granularity: ${JSON.stringify(g)} is not one of hour, day`);
  const range = checkDateRange(single(query, 'from'), single(query, 'to'), {
    maxDays: SUMMARY_MAX_DAYS[g],
    names: { from: 'from', to: 'to' },
    spanHint: ` with granularity=${g}`,
  });
  if (!range.ok) throw new BadRequest(400, range.message);
  const accounts = options.accounts();
  const account = accounts.find((a) => a.name === name);
  if (!account)
    throw new BadRequest(404, `account: no account named ${JSON.stringify(name)} (configured: ${accounts.map((a) => a.name).join(', ')})`);
  return { name, appid: account.appid, granularity: g, from: range.from, to: range.to };
}

/**
 * `GET /api/v1/summary?account=NAME&from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=hour|day`: the
 * stored rows as JSON, zero-filled like the gauges. Store reads only; a day the store lacks is
 * listed in `missingDays`, never fetched (the backfill command fetches).
 */
export function summaryRouter(options: SummaryApiOptions): express.Router {
  const router = express.Router();
  router.get(SUMMARY_PATH, (req, res) => {
    res.set('Cache-Control', 'no-store');
    let q: ReturnType<typeof parse>;
    try {
      q = parse(req.query, options);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      res.status(err.status).json({ error: err.message });
      return;
    }
    let history: ReturnType<typeof readHistory>;
    try {
      history = readHistory(options.store, q.appid, q.from, q.to);
    } catch (err) {
      // A day that lost rows is never served as zeros: the answer says what is damaged and how to recover.
      if (!(err instanceof StoreDamagedError)) throw err;
      res.status(500).json({ error: err.message });
      return;
    }
    const keptFrom = options.keptFrom?.();
    const pruned = (d: BeijingDate): boolean => keptFrom !== undefined && d < keptFrom;
    const body: SummaryResponse = {
      account: q.name,
      appid: q.appid,
      granularity: q.granularity,
      from: q.from,
      to: q.to,
      rows: summaryRows(history.days, q.granularity),
      missingDays: history.missing.filter((d) => !pruned(d)),
      prunedDays: history.missing.filter(pruned),
      retentionKeptFrom: keptFrom ?? null,
      noTrafficDays: history.days.filter((d) => d.status === 'no_traffic').map((d) => d.refDate),
    };
    res.json(body);
  });
  return router;
}

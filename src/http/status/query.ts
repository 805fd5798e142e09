import { ExporterError } from '../../errors.js';

/** A landing page query the page cannot answer; the HTTP layer answers it with 400 and this message. */
export class StatusQueryError extends ExporterError {
  constructor(message: string) {
    super('bad_request', message);
  }
}

/** How the landing page orders accounts. */
export type StatusSort = 'name' | 'failures' | 'state';
export const STATUS_SORTS: readonly StatusSort[] = ['name', 'failures', 'state'];
/** Accounts per page: 1,000 accounts make 20 pages of a screen or two each. */
export const PAGE_SIZE = 50;

/** The landing page's query string: `?sort=name|failures|state&q=TEXT&page=N`. */
export interface StatusQuery {
  readonly sort: StatusSort;
  /** Words, each a case-insensitive part of the account name, appid or a label value, or `label=value` (status/filter.ts); empty: every account. */
  readonly q: string;
  /** 1-based. */
  readonly page: number;
}

export const DEFAULT_STATUS_QUERY: StatusQuery = { sort: 'name', q: '', page: 1 };

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new StatusQueryError(`query parameter ${name} must be given once, as text`);
  return value;
}

/** Reads the query, naming the parameter that is wrong (answered with 400). */
export function parseStatusQuery(query: Record<string, unknown>): StatusQuery {
  const sort = single(query['sort'], 'sort') || DEFAULT_STATUS_QUERY.sort;
  if (!STATUS_SORTS.includes(sort as StatusSort)) {
    throw new StatusQueryError(`query parameter sort must be one of ${STATUS_SORTS.join(', ')}, not ${JSON.stringify(sort)}`);
  }
  const q = (single(query['q'], 'q') ?? '').trim();
  if (q.length > 200) throw new StatusQueryError('query parameter q is longer than 200 characters');
  const pageText = single(query['page'], 'page') || '1';
  if (!/^[1-9]\d{0,5}$/.test(pageText))
    throw new StatusQueryError(`query parameter page must be a whole number from 1, not ${JSON.stringify(pageText)}`);
  return { sort: sort as StatusSort, q, page: Number(pageText) };
}

/** The landing page's URL for `query`, leaving defaults out so that links stay short. */
export function statusHref(query: StatusQuery): string {
  const params = new URLSearchParams();
  if (query.sort !== DEFAULT_STATUS_QUERY.sort) params.set('sort', query.sort);
  if (query.q) params.set('q', query.q);
  if (query.page !== 1) params.set('page', String(query.page));
  const s = params.toString();
  return s ? `/?${s}` : '/';
}

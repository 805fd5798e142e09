import type Database from 'better-sqlite3';
import type { BeijingDate } from '../dates.js';
import type { OutboxEntry, OutboxState } from './transition.js';

interface Row {
  url: string;
  appid: string;
  ref_date: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_status: string | null;
  last_error: string | null;
  samples: number | null;
}

/** Which entries a worker looks at: all of a URL's, or a backfill's accounts and range. */
export interface OutboxScope {
  readonly appids?: readonly string[] | undefined;
  readonly from?: BeijingDate | undefined;
  readonly to?: BeijingDate | undefined;
}

const entryOf = (r: Row): OutboxEntry => ({
  url: r.url,
  appid: r.appid,
  refDate: r.ref_date,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status ?? undefined,
  lastError: r.last_error ?? undefined,
  samples: r.samples ?? undefined,
});

/** The scope as statement parameters: every account and every date when not given. */
function scopeParams(url: string, scope: OutboxScope): { url: string; appids: string | null; from: string; to: string } {
  return {
    url,
    appids: scope.appids ? JSON.stringify(scope.appids) : null,
    from: scope.from ?? '0000-00-00',
    to: scope.to ?? '9999-99-99',
  };
}

const PENDING_IN_SCOPE = `SELECT * FROM remote_write_outbox WHERE url = @url AND state = 'pending'
  AND (@appids IS NULL OR appid IN (SELECT value FROM json_each(@appids))) AND ref_date BETWEEN @from AND @to`;
const SOONEST = 'ORDER BY next_attempt_at, ref_date, appid';

/**
 * The remote-write outbox table (schema migration 2): one row per (target URL, account, day).
 * Rows are claimed with a lease before a push, so that a daemon and a backfill pushing to the
 * same URL never send one day at the same time, and a push cut short by a crash is retried
 * once its lease runs out.
 */
export class Outbox {
  readonly #db: Database.Database;
  readonly #stmt;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = {
      enqueue: db.prepare(`INSERT INTO remote_write_outbox (url, appid, ref_date, state, updated_at) VALUES (?, ?, ?, 'pending', ?)
        ON CONFLICT (url, appid, ref_date) DO NOTHING`),
      retryFailed: db.prepare(`UPDATE remote_write_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, updated_at = ?
        WHERE url = ? AND appid = ? AND ref_date = ? AND state = 'failed'`),
      pending: db.prepare<[ReturnType<typeof scopeParams>], Row>(`${PENDING_IN_SCOPE} ${SOONEST}`),
      firstDue: db.prepare<[ReturnType<typeof scopeParams> & { now: number }], Row>(
        `${PENDING_IN_SCOPE} AND next_attempt_at <= @now ${SOONEST} LIMIT 1`,
      ),
      firstPending: db.prepare<[ReturnType<typeof scopeParams>], Row>(`${PENDING_IN_SCOPE} ${SOONEST} LIMIT 1`),
      firstRetrying: db.prepare<[string], Row>(
        `SELECT * FROM remote_write_outbox WHERE url = ? AND state = 'pending' AND last_error IS NOT NULL ${SOONEST} LIMIT 1`,
      ),
      claim: db.prepare(`UPDATE remote_write_outbox SET next_attempt_at = ?
        WHERE url = ? AND appid = ? AND ref_date = ? AND state = 'pending' AND next_attempt_at <= ?`),
      record: db.prepare(`UPDATE remote_write_outbox SET state = @state, attempts = @attempts, next_attempt_at = @nextAttemptAt,
        last_status = @lastStatus, last_error = @lastError, samples = @samples, updated_at = @at
        WHERE url = @url AND appid = @appid AND ref_date = @refDate`),
      byState: db.prepare<[string, OutboxState], Row>(
        'SELECT * FROM remote_write_outbox WHERE url = ? AND state = ? ORDER BY ref_date, appid',
      ),
      count: db.prepare<[string, OutboxState], { n: number }>('SELECT count(*) AS n FROM remote_write_outbox WHERE url = ? AND state = ?'),
    };
  }

  /** Queues a stored day for `urls`; a day already there (even acked) is left as it is. */
  enqueue(urls: readonly string[], appid: string, refDate: BeijingDate, at: number): void {
    for (const url of urls) this.#stmt.enqueue.run(url, appid, refDate, at);
  }

  /** Queues days for one URL as a backfill asks: new ones pending, failed ones retried, acked ones kept. */
  requeue(url: string, appid: string, days: readonly BeijingDate[], at: number): void {
    this.#db.transaction(() => {
      for (const d of days) {
        this.#stmt.enqueue.run(url, appid, d, at);
        this.#stmt.retryFailed.run(at, url, appid, d);
      }
    })();
  }

  /** Pending entries of `url` in `scope`, soonest due first. */
  pending(url: string, scope: OutboxScope = {}): OutboxEntry[] {
    return this.#stmt.pending.all(scopeParams(url, scope)).map(entryOf);
  }

  /** The pending entry of `url` in `scope` due soonest (what a worker waits for). */
  nextPending(url: string, scope: OutboxScope = {}): OutboxEntry | undefined {
    const row = this.#stmt.firstPending.get(scopeParams(url, scope));
    return row && entryOf(row);
  }

  /** The pending entry whose last push failed and is due soonest (the landing page shows its error). */
  retrying(url: string): OutboxEntry | undefined {
    const row = this.#stmt.firstRetrying.get(url);
    return row && entryOf(row);
  }

  /**
   * Claims the first due entry in scope: moves its next attempt to `leaseUntil`, so no other
   * worker takes it meanwhile. Undefined when nothing is due.
   */
  claimDue(url: string, now: number, leaseUntil: number, scope: OutboxScope = {}): OutboxEntry | undefined {
    return this.#db.transaction(() => {
      const row = this.#stmt.firstDue.get({ ...scopeParams(url, scope), now });
      if (!row) return undefined;
      const due = entryOf(row);
      return this.#stmt.claim.run(leaseUntil, url, due.appid, due.refDate, now).changes === 1 ? due : undefined;
    })();
  }

  /** Writes an entry's new state. */
  record(entry: OutboxEntry, at: number): void {
    this.#stmt.record.run({
      ...entry,
      lastStatus: entry.lastStatus ?? null,
      lastError: entry.lastError ?? null,
      samples: entry.samples ?? null,
      at,
    });
  }

  entries(url: string, state: OutboxState): OutboxEntry[] {
    return this.#stmt.byState.all(url, state).map(entryOf);
  }

  count(url: string, state: OutboxState): number {
    return this.#stmt.count.get(url, state)?.n ?? 0;
  }
}

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

function inScope(e: OutboxEntry, scope: OutboxScope): boolean {
  return (
    (scope.appids === undefined || scope.appids.includes(e.appid)) &&
    (scope.from === undefined || e.refDate >= scope.from) &&
    (scope.to === undefined || e.refDate <= scope.to)
  );
}

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
      pending: db.prepare<[string], Row>(`SELECT * FROM remote_write_outbox WHERE url = ? AND state = 'pending'
        ORDER BY next_attempt_at, ref_date, appid`),
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
    return this.#stmt.pending
      .all(url)
      .map(entryOf)
      .filter((e) => inScope(e, scope));
  }

  /**
   * Claims the first due entry in scope: moves its next attempt to `leaseUntil`, so no other
   * worker takes it meanwhile. Undefined when nothing is due.
   */
  claimDue(url: string, now: number, leaseUntil: number, scope: OutboxScope = {}): OutboxEntry | undefined {
    return this.#db.transaction(() => {
      const due = this.pending(url, scope).find((e) => e.nextAttemptAt <= now);
      if (!due) return undefined;
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

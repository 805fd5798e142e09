/**
 * The store's schema, versioned with SQLite's `user_version`; each migration runs once, in a
 * transaction, in order. `application_id` marks the file as ours so that a foreign database at
 * `--storage.path` is recognised and never altered.
 */

/** "WXIE" as a 32-bit integer. */
export const APPLICATION_ID = 0x57584945;

export const MIGRATIONS: readonly string[] = [
  // 1: rows as WeChat sent them (milliseconds), and which days are complete.
  `
  CREATE TABLE daily (
    appid TEXT NOT NULL,
    ref_date TEXT NOT NULL,
    callback_count INTEGER NOT NULL CHECK (callback_count >= 0),
    fail_count INTEGER NOT NULL CHECK (fail_count >= 0),
    total_time_cost INTEGER NOT NULL CHECK (total_time_cost >= 0),
    max_time_cost INTEGER NOT NULL CHECK (max_time_cost >= 0),
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (appid, ref_date)
  ) WITHOUT ROWID;
  CREATE TABLE hourly (
    appid TEXT NOT NULL,
    ref_date TEXT NOT NULL,
    ref_hour INTEGER NOT NULL CHECK (ref_hour BETWEEN 0 AND 23),
    callback_count INTEGER NOT NULL CHECK (callback_count >= 0),
    fail_count INTEGER NOT NULL CHECK (fail_count >= 0),
    total_time_cost INTEGER NOT NULL CHECK (total_time_cost >= 0),
    max_time_cost INTEGER NOT NULL CHECK (max_time_cost >= 0),
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (appid, ref_date, ref_hour)
  ) WITHOUT ROWID;
  -- A day listed here is stored whole: its daily row (absent for a day without traffic) and
  -- every hourly row WeChat listed. Written in the same transaction as the rows.
  CREATE TABLE days (
    appid TEXT NOT NULL,
    ref_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('complete', 'no_traffic')),
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (appid, ref_date)
  ) WITHOUT ROWID;
  CREATE TABLE accounts (
    appid TEXT NOT NULL PRIMARY KEY,
    last_success_at INTEGER
  ) WITHOUT ROWID;
  `,
  // 2: the remote-write outbox: per target URL, which stored days the receiver accepted. A row
  // is written in the transaction that stores its day, so no stored day is ever forgotten.
  `
  CREATE TABLE remote_write_outbox (
    url TEXT NOT NULL,
    appid TEXT NOT NULL,
    ref_date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'acked', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_status TEXT,
    last_error TEXT,
    samples INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (url, appid, ref_date)
  ) WITHOUT ROWID;
  CREATE INDEX remote_write_outbox_due ON remote_write_outbox (url, state, next_attempt_at);
  `,
  // 3: a day proves it is whole: the number of hourly rows written with it. A reader that finds
  // fewer (rows lost behind the store's back, a damaged page) fails instead of showing zeros.
  // Days stored before this version are counted as they are now.
  `
  ALTER TABLE days ADD COLUMN hour_count INTEGER NOT NULL DEFAULT 0 CHECK (hour_count BETWEEN 0 AND 24);
  UPDATE days SET hour_count = (SELECT count(*) FROM hourly h WHERE h.appid = days.appid AND h.ref_date = days.ref_date);
  `,
  // 4: WeChat's answer to /cgi-bin/openapi/quota/get, once a Beijing day per account and API.
  `
  CREATE TABLE api_quota (
    appid TEXT NOT NULL,
    api TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'unauthorized')),
    daily_limit INTEGER,
    used INTEGER,
    remain INTEGER,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (appid, api)
  ) WITHOUT ROWID;
  `,
  // 5: the retention (store/prune.ts) finds the oldest days of every account at once, and the
  // oldest stored day is one index step away (wechat_exporter_store_oldest_day_timestamp_seconds).
  `
  CREATE INDEX days_by_date ON days (ref_date, appid);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

import assert from 'node:assert/strict';
import { checkDateRange } from '../src/date-range.js';
import { MAX_BACKFILL_DAYS, planBackfill } from '../src/backfill/request.js';
import { UsageError } from '../src/errors.js';

const ACCOUNTS = [
  { name: 'main', appid: 'wx0123456789abcdef' },
  { name: 'news', appid: 'wx00000000000000aa' },
];
/** 09:00 Beijing on 2026-03-10: yesterday (2026-03-09) is ready. */
const MORNING = Date.parse('2026-03-10T09:00:00+08:00');
/** 07:59 Beijing: yesterday is not ready yet. */
const EARLY = Date.parse('2026-03-10T07:59:00+08:00');

function usage(flags: Parameters<typeof planBackfill>[0], now = MORNING): string {
  try {
    planBackfill(flags, ACCOUNTS, now);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail('expected a usage error');
}

describe('backfill: range and flag checks', () => {
  const ok = { from: '2026-03-01', to: '2026-03-09', output: 'out.om' };

  it('accepts a range ending yesterday after 08:00 Beijing, every account by default', () => {
    const plan = planBackfill(ok, ACCOUNTS, MORNING);
    assert.deepEqual(plan, { from: '2026-03-01', to: '2026-03-09', accounts: ACCOUNTS, output: 'out.om' });
  });

  it('selects one account with --account, and names the configured ones for an unknown one', () => {
    assert.deepEqual(planBackfill({ ...ok, account: 'news' }, ACCOUNTS, MORNING).accounts, [ACCOUNTS[1]]);
    assert.equal(usage({ ...ok, account: 'shop' }), '--account: no account named "shop" in the configuration (configured: main, news)');
  });

  it('refuses dates that do not parse', () => {
    assert.equal(usage({ ...ok, from: '2026-3-1' }), '--from: "2026-3-1" is not a date (expected YYYY-MM-DD, a Beijing date)');
    assert.equal(usage({ ...ok, to: '2026-02-30' }), '--to: "2026-02-30" is not a date (expected YYYY-MM-DD, a Beijing date)');
    assert.equal(usage({ ...ok, from: undefined }), '--from: required (a Beijing date, YYYY-MM-DD)');
  });

  it('refuses from after to', () => {
    assert.equal(usage({ ...ok, from: '2026-03-05', to: '2026-03-04' }), '--to: 2026-03-04 is before --from 2026-03-05');
  });

  it('refuses days before 2014-12-01', () => {
    assert.equal(
      usage({ ...ok, from: '2014-11-30', to: '2014-12-05' }),
      '--from: 2014-11-30 is before 2014-12-01, the first day WeChat keeps data for',
    );
    assert.equal(planBackfill({ ...ok, from: '2014-12-01', to: '2014-12-05' }, ACCOUNTS, MORNING).from, '2014-12-01');
  });

  it('refuses today, the future, and yesterday before 08:00 Beijing', () => {
    assert.equal(
      usage({ ...ok, to: '2026-03-10' }),
      '--to: 2026-03-10 is today (today is 2026-03-10 in Beijing); the newest day WeChat has data for is 2026-03-09',
    );
    assert.equal(
      usage({ ...ok, to: '2027-01-01' }),
      '--to: 2027-01-01 is in the future (today is 2026-03-10 in Beijing); the newest day WeChat has data for is 2026-03-09',
    );
    assert.equal(
      usage({ ...ok, to: '2026-03-09' }, EARLY),
      "--to: 2026-03-09 is not available yet (WeChat publishes a day's data after 08:00 Beijing the next day); the newest available day is 2026-03-08",
    );
    assert.equal(planBackfill({ ...ok, to: '2026-03-08' }, ACCOUNTS, EARLY).to, '2026-03-08');
  });

  it(`allows at most ${MAX_BACKFILL_DAYS} days`, () => {
    assert.equal(planBackfill({ ...ok, from: '2025-02-03', to: '2026-03-09' }, ACCOUNTS, MORNING).from, '2025-02-03'); // 400 days
    assert.equal(
      usage({ ...ok, from: '2025-02-02', to: '2026-03-09' }),
      '--to: 2025-02-02..2026-03-09 is 401 days, more than the 400 allowed in one run; split the range into several runs',
    );
  });

  it('requires --output', () => {
    assert.match(usage({ ...ok, output: '' }), /^--output: required/);
  });

  it('names the parameters as the caller calls them', () => {
    const r = checkDateRange('2026-01-01', 'x', { maxDays: 10, names: { from: 'from', to: 'to' } });
    assert.deepEqual(r, { ok: false, param: 'to', message: 'to: "x" is not a date (expected YYYY-MM-DD, a Beijing date)' });
    const multi = checkDateRange(['2026-01-01', '2026-01-02'], '2026-01-03', { maxDays: 10, names: { from: 'from', to: 'to' } });
    assert.deepEqual(multi, { ok: false, param: 'from', message: 'from: expected one date (YYYY-MM-DD)' });
    // Without a clock, future days pass (the JSON API lists them as missing).
    assert.equal(checkDateRange('2099-01-01', '2099-01-02', { maxDays: 10, names: { from: 'from', to: 'to' } }).ok, true);
  });
});

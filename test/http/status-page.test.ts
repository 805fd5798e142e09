import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { renderLanding, type LandingInfo } from '../../src/http/landing.js';
import { parseStatusQuery, statusHref } from '../../src/http/status/query.js';
import { statusPage } from '../../src/http/status/rows.js';
import type { AccountState } from '../../src/poll/account-state.js';
import { NO_TRAFFIC } from '../../src/figures.js';
import { createHash } from 'node:crypto';

const NO_LABELS: Readonly<Record<string, string>> = {};

/** `n` accounts: every seventh down, every eleventh without data; failures grow with the index. */
function accounts(n: number): AccountState[] {
  return Array.from({ length: n }, (_, i) => {
    const down = i % 7 === 3;
    const daily = { callbackCount: 100 + i, failCount: i % 50, totalTimeCost: 1000 * (100 + i), maxTimeCost: 2500 };
    const hours = Array.from({ length: 24 }, (_, h) => (h === 9 ? daily : NO_TRAFFIC));
    return {
      name: `acct-${String(i).padStart(4, '0')}`,
      appid: `wx${i.toString(16).padStart(16, '0')}`,
      tokenSource: 'stable',
      labels: i % 5 === 0 ? NO_LABELS : { team: `team-${i % 3}` },
      up: !down,
      reference: i % 11 === 5 ? undefined : { refDate: '2026-03-09', status: 'complete' as const, daily, hours },
      lastError: down ? { reason: 'ip_not_whitelisted', errcode: 40164, message: 'whitelist the IP', at: 0 } : undefined,
      pendingDays: [],
    };
  });
}

const info = (list: AccountState[]): LandingInfo => ({
  version: '1.2.3',
  telemetryPath: '/metrics',
  accounts: list,
  ready: true,
  demo: false,
  now: Date.parse('2026-03-10T09:00:00+08:00'),
});

describe('landing page as a status page', () => {
  const list = accounts(1000);

  it('pages 1,000 accounts 50 at a time; a page past the end shows the last', () => {
    const first = statusPage(list, { sort: 'name', q: '', page: 1 });
    assert.equal(first.pages, 20);
    assert.equal(first.matching, 1000);
    assert.deepEqual(
      first.rows.slice(0, 2).map((r) => r.account.name),
      ['acct-0000', 'acct-0001'],
    );
    const last = statusPage(list, { sort: 'name', q: '', page: 99 });
    assert.equal(last.page, 20);
    assert.equal(last.rows.at(-1)?.account.name, 'acct-0999');
  });

  it('sorts by worst failure ratio (no callbacks last) and by state (down first)', () => {
    const worst = statusPage(list, { sort: 'failures', q: '', page: 1 }).rows;
    const ratios = worst.map((r) => r.failureRatio ?? -1);
    assert.deepEqual(
      ratios,
      [...ratios].sort((a, b) => b - a),
    );
    assert.equal(worst[0]?.account.name, 'acct-0048', '48 failures of 148 callbacks is the worst ratio (acct-0049 has no data)');
    const lastPage = statusPage(list, { sort: 'failures', q: '', page: 20 }).rows;
    assert.equal(lastPage.at(-1)?.failureRatio, undefined);
    const byState = statusPage(list, { sort: 'state', q: '', page: 1 }).rows;
    assert.ok(byState.every((r) => r.account.up === false));
    assert.equal(byState[0]?.account.name, 'acct-0003');
  });

  it('filters by name or appid, case-insensitively', () => {
    const p = statusPage(list, { sort: 'name', q: 'ACCT-09', page: 1 });
    assert.equal(p.matching, 100);
    assert.equal(statusPage(list, { sort: 'name', q: 'wx00000000000003e7', page: 1 }).rows[0]?.account.name, 'acct-0999');
  });

  it('filters by label values and by label=value pairs (every word must match); shows each label as a filter link', () => {
    // team-0 / team-1 / team-2 by i % 3, none on every fifth account: 333 with i % 3 == 1, 66 of them without labels.
    const names = (q: string): string[] => statusPage(list, { sort: 'name', q, page: 1 }).rows.map((r) => r.account.name);
    assert.equal(statusPage(list, { sort: 'name', q: 'team=team-1', page: 1 }).matching, 267);
    assert.equal(statusPage(list, { sort: 'name', q: 'TEAM-1', page: 1 }).matching, 267, 'a value, case-insensitively');
    assert.equal(statusPage(list, { sort: 'name', q: 'Team=team-1', page: 1 }).matching, 0, 'label names are case-sensitive');
    assert.equal(statusPage(list, { sort: 'name', q: 'team=', page: 1 }).matching, 200, 'team= : the accounts without a team');
    assert.equal(statusPage(list, { sort: 'name', q: 'team=team', page: 1 }).matching, 0, 'a pair matches the whole value');
    assert.deepEqual(names('team=team-2 acct-001'), ['acct-0011', 'acct-0014', 'acct-0017']);
    const html = renderLanding(info(list), { sort: 'name', q: 'acct-0011', page: 1 });
    assert.match(html, /<th>Labels<\/th><\/tr><\/thead>/);
    assert.ok(html.includes('<td><a href="/?q=team%3Dteam-2"><code>team=team-2</code></a></td></tr>'), html);
    const odd: AccountState = { ...(list[1] as AccountState), labels: { note: 'a <b> & c', team: 'x"y' } };
    const oddHtml = renderLanding(info([odd]));
    assert.ok(
      oddHtml.includes('<td><code>note=a &#60;b&#62; &#38; c</code> <a href="/?q=team%3Dx%22y"><code>team=x&#34;y</code></a></td></tr>'),
      oddHtml,
    );
  });

  it('shows the figures of the reference day and a 24-bar chart', () => {
    const html = renderLanding(info(list), { sort: 'name', q: 'acct-0010', page: 1 });
    // 10 failures of 110 callbacks, average 1 s, max 2.5 s.
    assert.match(
      html,
      /<tr data-account="acct-0010">.*\s*<td>2026-03-09<\/td><td class="n">110<\/td><td class="n">10<\/td><td class="n">9\.09 %<\/td><td class="n">1\.000 s<\/td><td class="n">2\.500 s<\/td>/,
    );
    assert.equal((html.match(/<g data-hour=/g) ?? []).length, 24);
    assert.match(html, /<g data-hour="09" data-callbacks="110" data-failures="10">/);
  });

  it('links keep the sort and the filter across pages', () => {
    const html = renderLanding(info(list), { sort: 'failures', q: 'acct', page: 3 });
    assert.match(html, /Page 3 of 20/);
    assert.ok(html.includes('href="/?sort=failures&#38;q=acct&#38;page=4" rel="next"'));
    assert.ok(html.includes('href="/?sort=failures&#38;q=acct&#38;page=2" rel="prev"'));
    assert.equal(statusHref({ sort: 'name', q: '', page: 1 }), '/');
  });

  it('rejects a bad query naming the parameter', () => {
    assert.throws(() => parseStatusQuery({ sort: 'chaos' }), /sort must be one of name, failures, state, not "chaos"/);
    assert.throws(() => parseStatusQuery({ page: '0' }), /page must be a whole number from 1/);
    assert.throws(() => parseStatusQuery({ q: ['a', 'b'] }), /q must be given once/);
    assert.deepEqual(parseStatusQuery({ sort: 'state', q: ' x ', page: '2' }), { sort: 'state', q: 'x', page: 2 });
  });

  it('is served under a CSP that loads nothing and allows only its own stylesheet by hash', async () => {
    const metrics = (): Promise<never> => Promise.reject(new Error('not scraped here'));
    const app = createApp({ metrics, telemetryPath: '/metrics', ready: () => true, landing: () => info(list) });
    const res = await request(app).get('/?sort=state&page=2').expect(200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /^default-src 'none';/);
    assert.match(csp, /form-action 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)?.[1] ?? '';
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the hash is of the served stylesheet');
    assert.doesNotMatch(res.text, /<script|style="|<img|<link/);
    await request(app).get('/?page=x').expect(400, 'query parameter page must be a whole number from 1, not "x"\n');
  });
});

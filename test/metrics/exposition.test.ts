import assert from 'node:assert/strict';
import { crc32, gunzipSync } from 'node:zlib';
import { Counter, Gauge, Registry } from 'prom-client';
import { startOfBeijingDay, type BeijingDate } from '../../src/dates.js';
import { FIGURES, NO_TRAFFIC, figureValue } from '../../src/figures.js';
import { accountFamilies } from '../../src/metrics/exposition/families.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { crc32Combine, gzipMember, gzipPieceSync } from '../../src/metrics/exposition/gzip-member.js';
import { PreparedExposition } from '../../src/metrics/exposition/prepared-exposition.js';
import { LiveFamilies } from '../../src/metrics/exposition/live-families.js';
import { ScrapeBodies, type ScrapeRequest } from '../../src/metrics/exposition/scrape-body.js';
import type { AccountState } from '../../src/poll/account-state.js';
import { ApiMetrics } from '../../src/wechat/api-metrics.js';

const NO_LABELS: Readonly<Record<string, string>> = {};

/** A deterministic spread of states: up, down with and without errcode, never polled, no reference, odd names. */
function states(n: number): AccountState[] {
  return Array.from({ length: n }, (_, i) => {
    const hours = Array.from({ length: 24 }, (_, h) =>
      h % (1 + (i % 3)) ? NO_TRAFFIC : { callbackCount: (i * h) % 7, failCount: h % 2, totalTimeCost: 1234 * h, maxTimeCost: 77 * h },
    );
    const day = { callbackCount: i % 5, failCount: 1, totalTimeCost: 98_765 + i, maxTimeCost: 3_001 };
    return {
      name: i === 3 ? 'we.ird-name_3' : i === 7 ? 'café-"7"\\' : `acct-${i}`,
      appid: `wx${i.toString(16).padStart(16, '0')}`,
      tokenSource: 'stable',
      // Some without labels, the others with one or two: the info family's label sets differ.
      labels: i % 3 === 0 ? NO_LABELS : i % 3 === 1 ? { team: `team-${i % 4}` } : { customer: 'acme', team: 'payments' },
      up: i % 4 === 0 ? undefined : i % 4 !== 1,
      lastError: i % 4 === 1 ? { reason: 'wechat_error', errcode: i % 8 === 1 ? undefined : 40001, message: 'x', at: 0 } : undefined,
      reference: i % 6 === 5 ? undefined : { refDate: `2026-03-0${1 + (i % 9)}`, status: 'complete', daily: day, hours },
      lastSuccessAt: i % 3 === 0 ? undefined : 1_773_100_000_123 + i,
      pendingDays: i % 2 ? [] : (['2026-03-09'] as BeijingDate[]),
    };
  });
}

/** `hour="07"` back to `{hour: '07'}` (the test's values hold no escapes). */
const parseLabels = (labels = ''): Record<string, string> =>
  Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));

/** The gauges as the exporter registered them in prom-client before the prepared exposition: the reference. */
function referenceRegistry(accounts: readonly AccountState[], hourly: boolean): Registry {
  const registry = new Registry();
  new Counter({ name: 'live_calls_total', help: 'A live counter.', labelNames: ['appid'], registers: [registry] }).inc({ appid: 'a' }, 3);
  const gauge = (name: string, labelNames: string[]) => new Gauge({ name, help: 'h', labelNames, registers: [registry] });
  for (const family of accountFamilies(hourly)) {
    const g = gauge(family.name, ['appid', 'account', 'hour', 'reason', 'errcode', 'customer', 'team']);
    Object.assign(g, { help: family.help });
    for (const a of accounts) {
      for (const s of family.samples(a)) g.set({ appid: a.appid, account: a.name, ...parseLabels(s.labels) }, s.value);
    }
  }
  gauge('wechat_exporter_build_info', ['version', 'revision', 'nodejs']).set({ version: 'v"1\\', revision: 'r', nodejs: 'n' }, 1);
  return registry;
}

/** A gauge whose value counts its collections (a stand-in for process metrics); returns the count so far. */
function countingGauge(registry: Registry, name: string): () => number {
  let collected = 0;
  new Gauge({
    name,
    help: 'h',
    registers: [registry],
    collect() {
      this.set(++collected);
    },
  });
  return () => collected;
}

describe('prepared exposition', () => {
  const text: ScrapeRequest = { openMetrics: false, gzip: false };
  const openMetrics: ScrapeRequest = { openMetrics: true, gzip: false };

  /** verifyMs 0: every scrape looks at the accounts, so that tests may change them without changed(). */
  function prepared(accounts: readonly AccountState[], hourly = true, verifyMs = 0): PreparedExposition {
    return new PreparedExposition({
      accounts: () => accounts,
      families: accountFamilies(hourly),
      statics: [
        {
          name: 'wechat_exporter_build_info',
          help: 'h',
          labels: [
            ['version', 'v"1\\'],
            ['revision', 'r'],
            ['nodejs', 'n'],
          ],
          value: 1,
        },
      ],
      chunk: 7,
      verifyMs,
    });
  }
  const live = (): Registry => {
    const r = new Registry();
    new Counter({ name: 'live_calls_total', help: 'A live counter.', labelNames: ['appid'], registers: [r] }).inc({ appid: 'a' }, 3);
    return r;
  };
  const body = async (r: Registry, p: PreparedExposition, req: ScrapeRequest): Promise<Buffer> =>
    Buffer.concat((await new ScrapeBodies(new LiveFamilies(r, undefined, 0), p).body(req)).chunks);

  it('the per-account families, the figures and the hours agree with the contract', () => {
    const [a] = states(2) as [AccountState];
    const names = accountFamilies(true).map((f) => f.name);
    assert.equal(names.length, 16);
    assert.deepEqual(
      names.slice(0, 5),
      FIGURES.map((f) => `wechat_interface_hour_${f}`),
    );
    const hourCallbacks = accountFamilies(true)[0]?.samples(a) ?? [];
    assert.deepEqual(
      hourCallbacks.map((s) => s.labels),
      Array.from({ length: 24 }, (_, h) => `hour="${String(h).padStart(2, '0')}"`),
    );
    assert.deepEqual(
      hourCallbacks.map((s) => s.value),
      Array.from({ length: 24 }, (_, h) => figureValue(a.reference?.hours[h] ?? NO_TRAFFIC, 'callbacks')),
    );
    const ts = accountFamilies(true).find((f) => f.name === 'wechat_interface_reference_day_timestamp_seconds');
    assert.deepEqual(ts?.samples(a), [{ value: startOfBeijingDay('2026-03-01') / 1000 }]);
  });

  for (const hourly of [true, false]) {
    it(`renders byte for byte what prom-client renders, text and OpenMetrics (hourly: ${hourly})`, async () => {
      const accounts = states(50);
      const reference = referenceRegistry(accounts, hourly);
      const p = prepared(accounts, hourly);
      assert.equal((await body(live(), p, text)).toString(), await reference.metrics());
      assert.equal((await body(live(), p, openMetrics)).toString(), (await renderMetrics(reference, true)).body);
      assert.equal((await body(live(), p, text)).toString().includes('wechat_interface_hour_'), hourly);
    });
  }

  it('with no live metric, the output starts with the first prepared family', async () => {
    const accounts = states(3);
    const out = (await body(new Registry(), prepared(accounts), text)).toString();
    assert.match(out, /^# HELP wechat_interface_hour_callbacks /);
    assert.match(out, /\} 1\n$/);
  });

  it('gzip decodes to the identity body, in both formats, as one gzip member', async () => {
    const p = prepared(states(40));
    for (const req of [text, openMetrics]) {
      const plain = await body(live(), p, req);
      const gz = await body(live(), p, { ...req, gzip: true });
      assert.ok(gz.length < plain.length / 5, `${gz.length} vs ${plain.length}`);
      assert.deepEqual(gunzipSync(gz), plain);
      // One member: its trailer holds the CRC-32 and length of the whole text.
      assert.equal(gz.readUInt32LE(gz.length - 8), crc32(plain));
      assert.equal(gz.readUInt32LE(gz.length - 4), plain.length);
    }
  });

  it('a member of stored, compressed and empty pieces decodes to their text', () => {
    const texts = [Buffer.from('small\n'), Buffer.from('x'.repeat(70_000)), Buffer.alloc(0), Buffer.from('# EOF\n'.repeat(5_000))];
    const member = Buffer.concat(gzipMember(texts.map(gzipPieceSync)));
    assert.deepEqual(gunzipSync(member), Buffer.concat(texts));
  });

  it('serves the same assembled body while nothing changes, and a new one after a change', async () => {
    const accounts = states(5);
    const bodies = new ScrapeBodies(new LiveFamilies(live(), undefined, 60_000), prepared(accounts));
    const gz = { openMetrics: true, gzip: true };
    const first = await bodies.body(gz);
    assert.equal(await bodies.body(gz), first);
    (accounts[0] as AccountState).lastSuccessAt = 1;
    const second = await bodies.body(gz);
    assert.notEqual(second, first);
    assert.match(
      gunzipSync(Buffer.concat(second.chunks)).toString(),
      /wechat_exporter_last_success_timestamp_seconds\{appid="wx0000000000000000",account="acct-0"\} 0\.001$/m,
    );
  });

  it('crc32Combine gives the CRC of the concatenation', () => {
    const a = Buffer.from('hello, '.repeat(1000));
    const b = Buffer.from('wechat');
    assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
    assert.equal(crc32Combine(0, crc32(b), b.length), crc32(b));
    assert.equal(crc32Combine(crc32(a), crc32(Buffer.alloc(0)), 0), crc32(a));
  });

  it('a gzip body is the prepared compressed Buffers themselves, not a copy', async () => {
    const p = prepared(states(30));
    const bodies = new ScrapeBodies(new LiveFamilies(live(), undefined, 0), p);
    const families = await p.families();
    for (const request of [
      { openMetrics: true, gzip: true },
      { openMetrics: false, gzip: true },
    ]) {
      const { chunks, length } = await bodies.body(request);
      for (const piece of families.gzip) assert.ok(chunks.includes(piece.deflated), 'a prepared piece is one of the chunks');
      assert.equal(length, Buffer.concat(chunks).length);
      assert.deepEqual(gunzipSync(Buffer.concat(chunks)), await body(live(), p, { ...request, gzip: false }));
    }
  });

  it('a scrape trusts the preparation until a change is announced, and looks again after verifyMs anyway', async () => {
    const accounts = states(10);
    const p = prepared(accounts, true, 60_000);
    const bodies = new ScrapeBodies(new LiveFamilies(live(), undefined, 60_000), p);
    const text = { openMetrics: false, gzip: false };
    const scrape = async (): Promise<string> => Buffer.concat((await bodies.body(text)).chunks).toString();
    const pattern = /wechat_exporter_last_success_timestamp_seconds\{appid="wx0000000000000000",account="acct-0"\} 0\.005$/m;
    assert.doesNotMatch(await scrape(), pattern);
    (accounts[0] as AccountState).lastSuccessAt = 5;
    assert.doesNotMatch(await scrape(), pattern, 'not announced, within verifyMs: the prepared body');
    p.changed(60_000);
    assert.match(await scrape(), pattern, 'announced: the next scrape has it');
    const late = prepared(accounts, true, 30);
    const lateBodies = new ScrapeBodies(new LiveFamilies(live(), undefined, 60_000), late);
    const lateScrape = async (): Promise<string> => Buffer.concat((await lateBodies.body(text)).chunks).toString();
    assert.match(await lateScrape(), pattern);
    (accounts[0] as AccountState).lastSuccessAt = 6;
    await new Promise((r) => setTimeout(r, 40));
    assert.match(await lateScrape(), /acct-0"\} 0\.006$/m, 'not announced, after verifyMs: seen');
  });

  it('prepares once while nothing changes, and again when an account changes, is added or removed', async () => {
    const accounts = states(20);
    const p = prepared(accounts);
    const first = await p.families();
    assert.equal(await p.families(), first, 'unchanged: the same preparation');
    const a = accounts[2] as AccountState;
    a.up = false;
    a.lastError = { reason: 'network_error', message: 'x', at: 1 };
    assert.equal(p.fresh, false);
    const second = await p.families();
    assert.notEqual(second, first);
    assert.match(
      (await body(live(), p, text)).toString(),
      /wechat_exporter_account_error_info\{appid="wx0000000000000002",account="acct-2",reason="network_error",errcode=""\} 1/,
    );
    accounts.push(...states(21).slice(20));
    assert.match((await body(live(), p, text)).toString(), /account="acct-20"/);
    accounts.splice(0, 1);
    assert.doesNotMatch((await body(live(), p, text)).toString(), /account="acct-0"/);
  });

  it('a relabel (new labels object, same state) rewrites only the info family, escaped, with no label when there are none', async () => {
    const accounts = states(12);
    const p = prepared(accounts);
    const first = await p.families();
    const a = accounts[4] as AccountState;
    a.labels = { customer: 'a"c\\me\nco', team: 'payments' };
    (accounts[3] as AccountState).labels = {};
    const second = await p.families();
    assert.notEqual(second, first, 'a new labels object is a change');
    const names = accountFamilies(true).map((f) => f.name);
    second.blocks.slice(0, names.length).forEach((block, f) => {
      assert.equal(block === first.blocks[f], names[f] !== 'wechat_exporter_account_info', `${names[f]}`);
    });
    const out = (await body(live(), p, text)).toString();
    assert.ok(
      out.includes(
        'wechat_exporter_account_info{appid="wx0000000000000004",account="acct-4",customer="a\\"c\\\\me\\nco",team="payments"} 1\n',
      ),
    );
    assert.ok(out.includes('wechat_exporter_account_info{appid="wx0000000000000003",account="we.ird-name_3"} 1\n'));
    assert.equal([...out.matchAll(/^wechat_exporter_account_info\{/gm)].length, 12, 'one info series per account');
  });

  it('after changes, reorders, additions and removals, the next preparation is byte for byte a fresh one; untouched families keep their bytes', async () => {
    const accounts = states(60);
    const p = prepared(accounts);
    const fresh = async (): Promise<readonly Buffer[]> => (await prepared([...accounts]).families()).blocks;
    const first = await p.families();
    // A failure: only the state families change (account_up, error_info), not the figures.
    const a = accounts[7] as AccountState;
    a.up = false;
    a.lastError = { reason: 'network_error', message: 'x', at: 1 };
    const second = await p.families();
    assert.deepEqual(second.blocks, await fresh());
    const names = accountFamilies(true).map((f) => f.name);
    second.blocks.slice(0, names.length).forEach((block, f) => {
      const touched = ['wechat_exporter_account_up', 'wechat_exporter_account_error_info'].includes(names[f] as string);
      assert.equal(block === first.blocks[f], !touched, `${names[f]}: ${touched ? 'rewritten' : 'kept'}`);
      assert.equal(second.gzip[f] === first.gzip[f], !touched, `${names[f]}: gzip ${touched ? 'redone' : 'kept'}`);
    });
    // New figures for a non-ASCII account, a new state object with the same figures (a reload), a reorder, an addition, a removal.
    const cafe = accounts[7] as AccountState;
    accounts[7] = { ...cafe, reference: cafe.reference && { ...cafe.reference, daily: { ...cafe.reference.daily, failCount: 9 } } };
    accounts[3] = { ...(accounts[3] as AccountState) };
    accounts.reverse();
    accounts.push(...states(62).slice(60));
    accounts.splice(10, 1);
    assert.deepEqual((await p.families()).blocks, await fresh());
    assert.match(
      (await body(live(), p, text)).toString(),
      /wechat_interface_day_failures\{appid="wx0000000000000007",account="café-\\"7\\"\\\\"\} 9$/m,
    );
  });

  it('a poll of many accounts is prepared once its changes stop, or after maxMs while they go on; not once per change', async () => {
    const accounts = states(30);
    let looks = 0;
    const p = new PreparedExposition({
      accounts: () => (looks++, accounts),
      families: accountFamilies(true),
      statics: [],
      debounce: { quietMs: 40, maxMs: 200 },
    });
    const sleep = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
    // 60 changes, one every 10 ms: the quiet period never comes, maxMs does.
    for (let i = 0; i < 60; i++) {
      (accounts[i % 30] as AccountState).lastSuccessAt = i;
      p.changed();
      await sleep(10);
    }
    const during = looks;
    assert.ok(during >= 1, 'prepared while the changes went on (maxMs)');
    assert.ok(during <= 3 * 10, `${during} looks for 60 changes: the changes were batched`);
    await sleep(200);
    assert.equal(p.fresh, true, 'prepared once the changes stopped (quietMs)');
  });

  it('scrapes during a preparation are answered with the new state, and the event loop keeps turning', async () => {
    const accounts = states(400);
    const p = prepared(accounts);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const [x, y] = await Promise.all([p.families(), p.families()]);
      assert.equal(x, y, 'concurrent scrapes share one preparation');
      assert.ok(turns >= 2, `timers ran ${turns} times during the preparation`);
    } finally {
      clearInterval(ticker);
    }
  });

  it('a scrape arriving while a preparation runs waits for it: never the bytes from before the change', async () => {
    const accounts = states(200);
    const p = prepared(accounts, true, 60_000);
    await p.families();
    (accounts[150] as AccountState).lastSuccessAt = 1_800_000_000_000;
    p.changed();
    // The first scrape starts the preparation (and takes the announcement); the second must not
    // take the previous bytes as still verified.
    const [first, second] = await Promise.all([p.current(), p.current()]);
    assert.equal(second, first);
    assert.match(second.blocks.map(String).join('\n'), /^wechat_exporter_last_success_timestamp_seconds\{[^}]*\} 1800000000$/m);
  });

  it('state families are read with the accounts and published with them, between the account families and the statics', async () => {
    const accounts = states(300);
    const stateFamily = (value: number) => [{ name: 'x_reload_successful', help: 'h', labels: [], value }] as const;
    let state: readonly { name: string; help: string; labels: readonly []; value: number }[] = stateFamily(1);
    const p = new PreparedExposition({
      accounts: () => accounts,
      families: accountFamilies(true),
      statics: [{ name: 'wechat_exporter_build_info', help: 'h', labels: [], value: 1 }],
      state: () => state,
      chunk: 7,
      verifyMs: 60_000,
    });
    const shown = (f: { blocks: readonly Buffer[] }) => {
      const t = f.blocks.map(String).join('\n');
      return { accounts: t.match(/^wechat_exporter_pending_dates\{/gm)?.length ?? 0, state: /^x_reload_successful (\d)$/m.exec(t)?.[1] };
    };
    // Accounts never polled have no pending_dates line.
    const polled = (list: readonly AccountState[]) => list.filter((a) => a.up !== undefined).length;
    const before = polled(accounts);
    const first = await p.families();
    assert.deepEqual(shown(first), { accounts: before, state: '1' });
    const texts = first.blocks.map(String);
    const at = (prefix: string) => texts.findIndex((b) => b.startsWith(`# HELP ${prefix}`));
    const accountBlocks = accountFamilies(true).length;
    assert.deepEqual([at('x_reload_successful'), at('wechat_exporter_build_info')], [accountBlocks, accountBlocks + 1]);

    // A state change alone (a refused reload) is prepared once announced.
    state = stateFamily(0);
    p.changed();
    assert.deepEqual(shown(await p.current()), { accounts: before, state: '0' });

    // Accounts and state change together while a preparation of the previous ones runs: that one
    // shows both before, the next scrape both after; never one without the other.
    accounts[0] = { ...(accounts[0] as AccountState), pendingDays: [] };
    p.changed();
    const running = p.current();
    accounts.splice(0, 100);
    state = stateFamily(1);
    p.changed();
    const after = p.current();
    assert.deepEqual(shown(await running), { accounts: before, state: '0' });
    assert.deepEqual(shown(await after), { accounts: polled(accounts), state: '1' });
    assert.ok(polled(accounts) < before);
    assert.equal(p.fresh, true);
  });

  it('process-like metrics are sampled at most once per maxAgeMs; concurrent scrapes share them', async () => {
    const registry = new Registry();
    const sampled = countingGauge(registry, 'sampled');
    const live = new LiveFamilies(registry, undefined, 60_000);
    const [a, b] = await Promise.all([live.runs(false), live.runs(false)]);
    assert.equal((await live.runs(false))[0], a?.[0]);
    assert.equal(b?.[0], a?.[0]);
    assert.equal(a?.[0]?.text.toString(), '# HELP sampled h\n# TYPE sampled gauge\nsampled 1');
    assert.equal(sampled(), 1);
  });

  it('reuses the API metrics rendering until a call changes them; process-like metrics are always fresh', async () => {
    const registry = new Registry();
    const api = new ApiMetrics(registry);
    countingGauge(registry, 'fresh_gauge');
    const live = new LiveFamilies(registry, [api], 0);
    const first = await live.runs(false);
    assert.equal((await live.runs(false))[0], first[0], 'unchanged API metrics: the same rendering');
    assert.match((await live.runs(false))[1]?.text.toString() ?? '', /^fresh_gauge 3$/m);
    api.record('wx00000000000000a1', 'getinterfacesummary', 'ok', 0.2);
    api.tokenRefreshes.inc({ appid: 'wx00000000000000a1', outcome: 'ok' });
    const after = (await live.runs(false))[0]?.text.toString() ?? '';
    assert.match(after, /^wechat_exporter_api_requests_total\{appid="wx00000000000000a1",api="getinterfacesummary",outcome="ok"\} 1$/m);
    assert.match(after, /^wechat_exporter_token_refreshes_total\{appid="wx00000000000000a1",outcome="ok"\} 1$/m);
    assert.match((await live.runs(true))[0]?.text.toString() ?? '', /^# TYPE wechat_exporter_api_requests counter$/m);
  });
});

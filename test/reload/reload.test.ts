import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { waitFor } from '../helpers/daemon-process.js';
import { valueOf } from '../helpers/metrics-text.js';
import { discoveryServer, startFromFile, writeYaml, type Running } from './helpers.js';

const A = { name: 'shop', appid: 'wx00000000000000a1', secret: 'shop-secret-0000000000000001' };
const B = { name: 'news', appid: 'wx00000000000000b2', secret: 'news-secret-0000000000000002' };
const C = { name: 'club', appid: 'wx00000000000000c3', secret: 'club-secret-0000000000000003' };
const D = { name: 'mall', appid: 'wx00000000000000d4', secret: 'mall-secret-0000000000000004' };
const E = { name: 'blog', appid: 'wx00000000000000e5', secret: 'blog-secret-0000000000000005' };
const ALL = [A, B, C, D, E];

/** An entry of an accounts list, with its secret inline (tests only). */
const entry = (a: typeof A) => ({ name: a.name, appid: a.appid, secret: a.secret });

describe('reload and discovery (files, URL on 127.0.0.1, simulator, real SQLite)', function () {
  this.timeout(20_000);
  let clock: ManualClock;
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let dir: string;
  let configFile: string;
  let run: Running | undefined;
  let http: Awaited<ReturnType<typeof discoveryServer>>;

  const calls = (appid: string) => sim.callCount({ appid });
  const dataCalls = () => sim.calls.filter((c) => c.api === 'getinterfacesummary' || c.api === 'getinterfacesummaryhour');
  const config = (extra: Record<string, unknown> = {}) => ({
    wechat: { baseUrls: [sim.url], timeout: '2s' },
    schedule: { lookbackDays: 3 },
    accounts: [{ name: A.name, appid: A.appid, secretFile: join(dir, 'shop.secret') }],
    ...extra,
  });
  const polled = (appid: string) =>
    waitFor(`a poll of ${appid}`, () => run?.exporter.accounts.find((a) => a.appid === appid)?.up !== undefined);

  beforeEach(async () => {
    clock = new ManualClock('2026-03-10T09:00:00+08:00');
    sim = new WechatSimulator({ accounts: ALL, clock });
    await sim.listen(0, '127.0.0.1');
    http = await discoveryServer();
    tmp = tempDir();
    dir = tmp.dir;
    mkdirSync(join(dir, 'accounts'));
    writeFileSync(join(dir, 'shop.secret'), `${A.secret}\n`);
    writeFileSync(join(dir, 'token'), 'discovery-bearer-1\n');
    writeYaml(join(dir, 'accounts', 'batch-1.yml'), [entry(B)]);
    http.set(200, [entry(C)]);
    configFile = join(dir, 'config.yml');
    writeYaml(
      configFile,
      config({
        discovery: {
          files: [join(dir, 'accounts', '*.yml'), join(dir, 'accounts', '*.json')],
          http: { url: http.url, bearerTokenFile: join(dir, 'token') },
          refreshInterval: '1h',
        },
      }),
    );
  });
  afterEach(async () => {
    await run?.close();
    run = undefined;
    await http.close();
    await sim.close();
    tmp.remove();
  });

  const startAndPoll = async (): Promise<Running> => {
    run = await startFromFile(configFile, join(dir, 'data.db'), clock);
    await run.exporter.pollAll();
    sim.resetCalls();
    return run;
  };

  it('starts with the static, file and URL accounts, the bearer token read from its file', async () => {
    const r = await startAndPoll();
    assert.deepEqual(
      r.exporter.accounts.map((a) => a.name),
      ['shop', 'news', 'club'],
    );
    assert.deepEqual(http.auth, ['Bearer discovery-bearer-1']);
    const m = await r.scrape();
    assert.equal(valueOf(m, 'wechat_exporter_discovered_accounts', { source: `file:${join(dir, 'accounts', 'batch-1.yml')}` }), 1);
    assert.equal(valueOf(m, 'wechat_exporter_discovered_accounts', { source: `http:${http.url}` }), 1);
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'club' }), 1);
  });

  it('an account added by a file change is fetched with exactly its own calls; the others make none', async () => {
    const r = await startAndPoll();
    writeFileSync(join(dir, 'accounts', 'batch-2.json'), JSON.stringify([entry(D)]));
    await polled(D.appid);
    // 3-day window at 09:00: one daily call, three hourly calls, one token.
    assert.equal(sim.callCount({ appid: D.appid, api: 'getinterfacesummary' }), 1);
    assert.equal(sim.callCount({ appid: D.appid, api: 'getinterfacesummaryhour' }), 3);
    for (const other of [A, B, C]) assert.equal(calls(other.appid), 0, other.name);
    assert.equal(valueOf(await r.scrape(), 'wechat_exporter_account_up', { account: 'mall' }), 1);
  });

  it('an account added at the URL is fetched with its own calls at the next refresh', async () => {
    const r = await startAndPoll();
    http.set(200, [entry(C), entry(E)]);
    await r.reloader.refreshDiscovery();
    await polled(E.appid);
    assert.equal(sim.callCount({ appid: E.appid, api: 'getinterfacesummaryhour' }), 3);
    for (const other of [A, B, C]) assert.equal(calls(other.appid), 0, other.name);
  });

  it('the URL going down keeps its last list, and says so in metrics and on /', async () => {
    const r = await startAndPoll();
    http.set(503, 'down');
    await r.reloader.refreshDiscovery();
    await http.close();
    await r.reloader.refreshDiscovery();
    const m = await r.scrape();
    const source = { source: `http:${http.url}` };
    assert.equal(valueOf(m, 'wechat_exporter_discovery_errors_total', source), 2);
    assert.equal(valueOf(m, 'wechat_exporter_discovery_source_up', source), 0);
    assert.equal(valueOf(m, 'wechat_exporter_discovered_accounts', source), 1);
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'club' }), 1);
    const page = (await request(r.app).get('/').expect(200)).text;
    assert.match(page, /failing<\/span> \(last good list kept\)/);
    assert.doesNotMatch(page, /discovery-bearer/);
    assert.equal(dataCalls().length, 0);
    http = await discoveryServer(); // for afterEach
  });

  it('a bad entry and a duplicate are refused alone, naming source and entry; the others work', async () => {
    writeYaml(join(dir, 'accounts', 'batch-1.yml'), [
      entry(B),
      { name: 'broken', appid: 'wx-not-an-appid', secret: 'x' },
      { ...entry(D), name: 'shop' },
    ]);
    http.set(200, [entry(C), { ...entry(B), name: 'news-again' }]);
    const r = await startAndPoll();
    assert.deepEqual(
      r.exporter.accounts.map((a) => a.name),
      ['shop', 'news', 'club'],
    );
    const log = r.lines.join('\n');
    assert.match(log, /batch-1\.yml: \[1\] \(name \\"broken\\"\) refused: appid: expected an appid/);
    assert.match(log, /batch-1\.yml: account \\"shop\\" \(wx00000000000000d4\) refused: name \\"shop\\" is already used by accounts/);
    assert.match(log, /http:.*account \\"news-again\\" \(wx00000000000000b2\) refused: appid wx00000000000000b2 is already used by file:/);
    assert.doesNotMatch(log, /secret-000/);
  });

  it('a reload removes an account: its series leave /metrics, its rows stay, the others make no call', async () => {
    const r = await startAndPoll();
    writeYaml(join(dir, 'accounts', 'batch-1.yml'), []);
    assert.deepEqual(await r.reloader.reload(), { ok: true, problems: [] });
    const m = await r.scrape();
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'news' }), undefined);
    assert.equal(valueOf(m, 'wechat_interface_day_callbacks', { account: 'news' }), undefined);
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'shop' }), 1);
    assert.ok(r.store.newestDate(B.appid), 'rows stay in the store');
    assert.equal(valueOf(m, 'wechat_exporter_config_last_reload_successful'), 1);
    assert.equal(dataCalls().length, 0);
    assert.equal(sim.callCount({ api: 'stable_token' }), 0, 'cached tokens are kept');
  });

  it('an invalid reload keeps the previous config, logs every problem with its path, sets the metric to 0', async () => {
    const r = await startAndPoll();
    writeYaml(configFile, { ...config(), schedule: { lookbackDays: 0, cron: 'nope' }, accounts: [{ name: 'x', appid: 'bad' }] });
    const result = await r.reloader.reload();
    assert.equal(result.ok, false);
    const want = [
      'schedule.cron: expected a cron expression',
      'schedule.lookbackDays: expected an integer',
      'accounts[0].appid: expected an appid',
    ];
    for (const w of want)
      assert.ok(
        result.problems.some((p) => p.startsWith(w)),
        w,
      );
    const m = await r.scrape();
    assert.equal(valueOf(m, 'wechat_exporter_config_last_reload_successful'), 0);
    assert.deepEqual(
      r.exporter.accounts.map((a) => a.name),
      ['shop', 'news', 'club'],
    );
    assert.match(r.lines.join('\n'), /reload: accounts\[0\]\.appid: expected an appid/);
    assert.equal(dataCalls().length, 0);
  });

  it('a reload applies a changed token source to that account only, and a new discovery section', async () => {
    const r = await startAndPoll();
    writeFileSync(join(dir, 'shop.token'), 'not-yet\n');
    writeYaml(
      configFile,
      config({
        accounts: [{ name: A.name, appid: A.appid, tokenSource: 'file', tokenFile: join(dir, 'shop.token') }],
        discovery: { files: [join(dir, 'accounts', '*.yml')], refreshInterval: '1h' },
      }),
    );
    sim.resetCalls();
    assert.equal((await r.reloader.reload()).ok, true);
    assert.deepEqual(
      r.exporter.accounts.map((a) => `${a.name}:${a.tokenSource}`),
      ['shop:file', 'news:stable'],
    );
    clock.advance(86_400_000);
    // A token from WeChat's stable_token, as an outside token service would write it.
    const res = await fetch(`${sim.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: A.appid, secret: A.secret }),
    });
    writeFileSync(join(dir, 'shop.token'), `${((await res.json()) as { access_token: string }).access_token}\n`);
    await r.exporter.pollAll();
    assert.equal(sim.callCount({ api: 'stable_token', appid: A.appid }), 1, 'only the test fetched a stable token for shop');
    assert.equal(sim.callCount({ api: 'getinterfacesummaryhour', appid: A.appid }), 1);
    assert.equal(r.exporter.accounts[0]?.up, true, JSON.stringify(r.exporter.accounts[0]?.lastError));
    const m = await r.scrape();
    assert.equal(valueOf(m, 'wechat_exporter_discovered_accounts', { source: `http:${http.url}` }), undefined, 'the URL source is gone');
    assert.equal(valueOf(m, 'wechat_exporter_account_up', { account: 'club' }), undefined);
  });

  it('labels changed by a reload, a file and the URL apply without any WeChat call; the accounts keep their state', async () => {
    const r = await startAndPoll();
    const infoKeys = async () => [...(await r.scrape()).keys()].filter((k) => k.startsWith('wechat_exporter_account_info{')).sort();
    assert.deepEqual(await infoKeys(), [
      `wechat_exporter_account_info{appid="${A.appid}",account="shop"}`,
      `wechat_exporter_account_info{appid="${B.appid}",account="news"}`,
      `wechat_exporter_account_info{appid="${C.appid}",account="club"}`,
    ]);
    const states = r.exporter.accounts;
    const staticShop = () => (r.exporter.accounts[0] as { labels: Record<string, string> }).labels;
    // The config file's account, a discovery file's entry and the URL's entry each get owner labels.
    writeYaml(
      configFile,
      config({
        accounts: [{ name: A.name, appid: A.appid, secretFile: join(dir, 'shop.secret'), labels: { team: 'payments', customer: 'acme' } }],
        discovery: {
          files: [join(dir, 'accounts', '*.yml'), join(dir, 'accounts', '*.json')],
          http: { url: http.url, bearerTokenFile: join(dir, 'token') },
          refreshInterval: '1h',
        },
      }),
    );
    writeYaml(join(dir, 'accounts', 'batch-1.yml'), [{ ...entry(B), labels: { team: 'newsroom' } }]);
    http.set(200, [{ ...entry(C), labels: { team: 'payments' } }]);
    assert.deepEqual(await r.reloader.reload(), { ok: true, problems: [] });
    assert.deepEqual(await infoKeys(), [
      `wechat_exporter_account_info{appid="${A.appid}",account="shop",customer="acme",team="payments"}`,
      `wechat_exporter_account_info{appid="${B.appid}",account="news",team="newsroom"}`,
      `wechat_exporter_account_info{appid="${C.appid}",account="club",team="payments"}`,
    ]);
    assert.deepEqual(staticShop(), { customer: 'acme', team: 'payments' });
    assert.equal(sim.calls.length, 0, `no WeChat call at all: ${JSON.stringify(sim.calls)}`);
    r.exporter.accounts.forEach((a, i) => assert.equal(a, states[i], `${a.name} keeps its state object`));
    assert.equal(valueOf(await r.scrape(), 'wechat_exporter_account_up', { account: 'news' }), 1);
    assert.match(r.lines.join('\n'), /accounts updated.*"relabeled":\["shop","news","club"\]/);
    // The status page shows the new labels and filters by them.
    const page = (await request(r.app).get('/?q=team%3Dnewsroom').expect(200)).text;
    assert.match(page, /<tr data-account="news">[\s\S]*<code>team=newsroom<\/code>/);
    assert.doesNotMatch(page, /<tr data-account="(shop|club)">/);

    // A discovery refresh alone (the URL takes a label away) also makes no call.
    http.set(200, [entry(C)]);
    await r.reloader.refreshDiscovery();
    assert.equal(valueOf(await r.scrape(), 'wechat_exporter_account_info', { account: 'club' }), 1);
    assert.ok(!(await infoKeys()).some((k) => k.includes('account="club",team')));
    // A reserved name on reload: refused with the account's name, the labels in force stay.
    writeYaml(
      configFile,
      config({ accounts: [{ name: A.name, appid: A.appid, secretFile: join(dir, 'shop.secret'), labels: { job: 'x' } }] }),
    );
    const result = await r.reloader.reload();
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, [
      'accounts[0] (shop).labels.job: "job" is reserved (the exporter and Prometheus set appid, account, hour, job, instance themselves)',
    ]);
    assert.deepEqual(staticShop(), { customer: 'acme', team: 'payments' });
    assert.equal(sim.calls.length, 0);
  });

  it('a rotated secretFile is used after WeChat rejects the old secret, without a reload', async () => {
    const r = await startAndPoll();
    const shop = () => r.exporter.accounts.find((a) => a.appid === A.appid);
    // The operator resets the appsecret on WeChat first; the Kubernetes Secret follows later.
    sim.rotateSecret(A.appid, 'shop-secret-rotated-00000009');
    sim.expireTokens(A.appid);
    clock.advance(86_400_000);
    await r.exporter.pollAll();
    assert.equal(shop()?.up, false);
    assert.equal(shop()?.lastError?.errcode, 40125);
    writeFileSync(join(dir, 'shop.secret'), 'shop-secret-rotated-00000009\n');
    sim.resetCalls();
    await r.exporter.pollAll();
    assert.equal(shop()?.up, true, JSON.stringify(shop()?.lastError));
    assert.equal(sim.callCount({ appid: A.appid, api: 'stable_token' }), 1);
    assert.equal(sim.callCount({ appid: A.appid, api: 'getinterfacesummaryhour' }), 1);
    assert.doesNotMatch(r.lines.join('\n'), /rotated-0000/);
  });
});

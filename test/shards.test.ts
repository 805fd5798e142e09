import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../src/clock.js';
import { shardOf } from '../src/config/shard.js';
import { Exporter } from '../src/exporter.js';
import { exporterApp } from '../src/exporter-app.js';
import { memoryLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { WechatSimulator } from '../src/simulator/index.js';
import { Store } from '../src/store/store.js';
import { BUILD, tempDir, testConfig, type TestAccount } from './helpers/exporter-harness.js';
import { FAST_RETRY } from './helpers/wechat-stack.js';

const ACCOUNTS: TestAccount[] = Array.from({ length: 16 }, (_, i) => ({
  name: `acct-${i}`,
  appid: `wx${(0xa000 + i).toString(16).padStart(16, '0')}`,
  secret: `shard-secret-${String(i).padStart(16, '0')}`,
}));

/** The accounts a /metrics body has data for. */
const accountsIn = (body: string): string[] =>
  [...body.matchAll(/^wechat_interface_day_callbacks\{appid="[^"]+",account="([^"]+)"\}/gm)].map((m) => m[1] as string);

describe('shards: two exporters over the same accounts', function () {
  this.timeout(30_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  const running: { exporter: Exporter; store: Store }[] = [];

  before(async () => {
    sim = new WechatSimulator({ accounts: ACCOUNTS, clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
  });
  after(async () => {
    for (const r of running) {
      await r.exporter.stop();
      r.store.close();
    }
    await sim.close();
    tmp.remove();
  });

  const appOf = (exporter: Exporter): ReturnType<typeof exporterApp> =>
    exporterApp(exporter, {
      store: (running.find((r) => r.exporter === exporter) as { store: Store }).store,
      clock,
      build: BUILD,
      configuredAccounts: ACCOUNTS.length,
    });

  function shardExporter(index: number, count: number): Exporter {
    const redactor = new Redactor();
    const store = new Store(join(tmp.dir, `shard-${index}-of-${count}.db`));
    const exporter = new Exporter({
      config: testConfig(sim, ACCOUNTS, { lookbackDays: 2 }),
      store,
      clock,
      logger: memoryLogger(redactor).logger,
      redactor,
      env: {},
      build: BUILD,
      defaultMetrics: false,
      retryPolicy: FAST_RETRY,
      shard: { index, count },
    });
    running.push({ exporter, store });
    return exporter;
  }

  it('every account is in exactly one shard’s /metrics, and only that shard calls WeChat for it', async () => {
    const shards = [shardExporter(0, 2), shardExporter(1, 2)];
    const seen = new Map<string, number[]>();
    const callers = new Map<string, Set<number>>();
    for (const [index, exporter] of shards.entries()) {
      sim.resetCalls();
      await exporter.pollAll();
      for (const call of sim.calls)
        if (call.appid) (callers.get(call.appid) ?? callers.set(call.appid, new Set()).get(call.appid))?.add(index);
      const body = (await request(appOf(exporter)).get('/metrics').expect(200)).text;
      assert.match(body, new RegExp(`^wechat_exporter_shard_info\\{shard="${index}",shards="2"\\} 1$`, 'm'));
      for (const name of accountsIn(body)) seen.set(name, [...(seen.get(name) ?? []), index]);
      assert.ok(
        accountsIn(body).length > 0 && accountsIn(body).length < ACCOUNTS.length,
        `shard ${index}: ${accountsIn(body).length} accounts`,
      );
    }
    for (const a of ACCOUNTS) {
      const expected = shardOf(a.appid, 2);
      assert.deepEqual(seen.get(a.name), [expected], `${a.name} exported by shard(s) ${seen.get(a.name)?.join(', ')}`);
      assert.deepEqual(
        [...(callers.get(a.appid) ?? [])],
        [expected],
        `${a.name} called by shard(s) ${[...(callers.get(a.appid) ?? [])].join(', ')}`,
      );
    }
  });

  it('the landing page says which shard it is', async () => {
    const exporter = shardExporter(1, 3);
    const page = (await request(appOf(exporter)).get('/').expect(200)).text;
    const mine = ACCOUNTS.filter((a) => shardOf(a.appid, 3) === 1).length;
    assert.ok(page.includes(`Shard 1 of 3 (<code>--shard=1/3</code>): ${mine} of the 16 configured accounts.`), page);
  });
});

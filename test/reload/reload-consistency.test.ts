import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { exporterApp } from '../../src/exporter-app.js';
import { lifecycleRouter } from '../../src/http/lifecycle.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/daemon-process.js';
import { BUILD, tempDir } from '../helpers/exporter-harness.js';
import { parseSamples, valueOf } from '../helpers/metrics-text.js';
import { startFromFile, writeYaml, type Running } from './helpers.js';

const A = { name: 'shop', appid: 'wx00000000000000a1', secret: 'shop-secret-0000000000000001' };
const B = { name: 'news', appid: 'wx00000000000000b2', secret: 'news-secret-0000000000000002' };

/** What one scrape shows of the reload: the accounts it exports and the two reload gauges. */
interface Seen {
  readonly accounts: string;
  readonly successful: number | undefined;
  readonly at: number | undefined;
}
const key = (s: Seen): string => `${s.accounts} successful=${s.successful} at=${s.at}`;

function seen(text: string): Seen {
  const samples = parseSamples(text);
  const accounts = [...samples.keys()]
    .filter((k) => k.startsWith('wechat_interface_reference_day_timestamp_seconds{'))
    .map((k) => /account="([^"]+)"/.exec(k)?.[1] ?? '?')
    .sort()
    .join(',');
  return {
    accounts,
    successful: valueOf(samples, 'wechat_exporter_config_last_reload_successful'),
    at: valueOf(samples, 'wechat_exporter_config_last_reload_success_timestamp_seconds'),
  };
}

describe('reload: the reload gauges and the accounts change in the same scrape', function () {
  this.timeout(60_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let run: Running | undefined;
  let server: Server | undefined;

  before(async () => {
    sim = new WechatSimulator({ accounts: [A, B], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await run?.close();
    await sim.close();
    tmp.remove();
  });

  it('every scrape, while valid and invalid reloads alternate, shows one reload’s accounts with that reload’s state', async () => {
    const configFile = join(tmp.dir, 'config.yml');
    for (const a of [A, B]) writeFileSync(join(tmp.dir, `${a.name}.secret`), `${a.secret}\n`);
    const valid = (accounts: readonly (typeof A)[]) =>
      writeYaml(configFile, {
        wechat: { baseUrls: [sim.url], timeout: '2s' },
        schedule: { lookbackDays: 3 },
        accounts: accounts.map((a) => ({ name: a.name, appid: a.appid, secretFile: join(tmp.dir, `${a.name}.secret`) })),
      });
    valid([A, B]);
    run = await startFromFile(configFile, join(tmp.dir, 'data.db'), clock);
    await run.exporter.pollAll();
    // The daemon's app with --web.enable-lifecycle: reloads come by POST /-/reload.
    const { reloader, exporter, store } = run;
    const routes = lifecycleRouter({ enabled: true, reload: () => reloader.reload() });
    server = createServer(exporterApp(exporter, { store, clock, build: BUILD, routes })).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${base}/metrics`;
    const reload = async () => (await fetch(`${base}/-/reload`, { method: 'POST' })).status;

    // Each reload attempt's state, in order; a scrape must show exactly one of them.
    const states: Seen[] = [{ accounts: 'news,shop', successful: 1, at: clock.now() / 1000 }];
    const scrapes: { scraper: number; seen: Seen }[] = [];
    let done = false;
    const scraper = async (n: number): Promise<void> => {
      while (!done) {
        const res = await fetch(url, { headers: { 'accept-encoding': n === 1 ? 'gzip' : 'identity' } });
        assert.equal(res.status, 200);
        const t = await res.text();
        scrapes.push({ scraper: n, seen: seen(t) });
      }
    };
    const scraping = Promise.all([0, 1, 2].map(scraper));
    const shown = (state: Seen) => waitFor(`a scrape showing ${key(state)}`, () => scrapes.some((s) => key(s.seen) === key(state)), 10_000);

    try {
      await shown(states[0] as Seen);
      for (let round = 0; round < 4; round++) {
        clock.advance(60_000);
        writeYaml(configFile, { accounts: [{ name: 'x', appid: 'not-an-appid' }] });
        assert.equal(await reload(), 500);
        const previous = states[states.length - 1] as Seen;
        states.push({ ...previous, successful: 0 });
        await shown(states[states.length - 1] as Seen);

        clock.advance(60_000);
        const next = round % 2 === 0 ? [A] : [A, B];
        valid(next);
        assert.equal(await reload(), 200);
        const accounts = next
          .map((a) => a.name)
          .sort()
          .join(',');
        states.push({ accounts, successful: 1, at: clock.now() / 1000 });
        await shown(states[states.length - 1] as Seen);
      }
    } finally {
      done = true;
      await scraping;
    }

    const order = new Map(states.map((s, i) => [key(s), i]));
    assert.equal(order.size, states.length, 'every reload attempt shows a state of its own');
    const last = new Map<number, number>();
    for (const { scraper: n, seen: s } of scrapes) {
      const at = order.get(key(s));
      assert.ok(
        at !== undefined,
        `scraper ${n} scrape ${scrapes.findIndex((x) => x.seen === s)} showed ${key(s)}, no reload's state (states: ${states.map(key).join(' | ')})`,
      );
      // One scraper's scrapes, one after the other, never go back to an earlier reload.
      assert.ok(at >= (last.get(n) ?? 0), `scraper ${n} went back from state ${last.get(n)} to ${at}`);
      last.set(n, at);
    }
    assert.equal(new Set(scrapes.map((s) => key(s.seen))).size, states.length, 'every state was scraped');
    assert.ok(scrapes.length > states.length * 3, `${scrapes.length} scrapes`);
  });
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offsetClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, tempDir } from '../helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor, type Daemon } from '../helpers/daemon-process.js';

const NOW = '2026-03-10T09:00:00+08:00';
const SECRETS = { SHOP_SECRET: SHOP.secret, NEWS_SECRET: NEWS.secret };

function config(simUrl: string, accounts: readonly (typeof SHOP)[]): string {
  const list = accounts.map((a) => `  - {name: ${a.name}, appid: ${a.appid}, secretEnv: ${a.name.toUpperCase()}_SECRET}`).join('\n');
  return `wechat: {baseUrls: [${simUrl}], timeout: 30s}\nschedule: {lookbackDays: 3}\naccounts:\n${list}\n`;
}

describe('SIGHUP and POST /-/reload (subprocess from source)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let sim: WechatSimulator;
  let daemon: Daemon | undefined;

  beforeEach(async () => {
    tmp = tempDir();
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
  });
  afterEach(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    await sim.close();
    tmp.remove();
  });

  const start = async (extra: string[] = []): Promise<{ base: string; file: string }> => {
    const file = join(tmp.dir, 'config.yml');
    writeFileSync(file, config(sim.url, [SHOP]));
    const port = await freePort();
    daemon = runCli(
      [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${join(tmp.dir, 'data.db')}`, ...extra],
      { ...SECRETS, WECHAT_EXPORTER_FAKE_NOW: NOW },
    );
    const base = `http://127.0.0.1:${port}`;
    // Polled, quota look-up included (the poll's last calls): from here on shop is idle.
    await waitFor('shop polled', async () =>
      (await get(`${base}/metrics`))?.body.includes(
        `wechat_exporter_api_quota_remaining{appid="${SHOP.appid}",api="getinterfacesummaryhour"}`,
      ),
    );
    return { base, file };
  };

  it('SIGHUP adds an account, fetched with its own calls only; invalid configs never end the process', async () => {
    const { base, file } = await start();
    const d = daemon as Daemon;
    sim.resetCalls();
    writeFileSync(file, config(sim.url, [SHOP, NEWS]));
    d.child.kill('SIGHUP');
    // account_up, not any `account="news"} 1` line: wechat_exporter_account_info is there before the poll.
    await waitFor('news polled', async () =>
      (await get(`${base}/metrics`))?.body.includes(`wechat_exporter_account_up{appid="${NEWS.appid}",account="news"} 1`),
    );
    assert.equal(sim.callCount({ appid: SHOP.appid }), 0);
    assert.equal(sim.callCount({ appid: NEWS.appid, api: 'getinterfacesummaryhour' }), 3);

    writeFileSync(file, 'accounts: [{name: x, appid: nope}]\n');
    for (let i = 0; i < 3; i++) d.child.kill('SIGHUP');
    await waitFor('reload failure', async () =>
      (await get(`${base}/metrics`))?.body.includes('wechat_exporter_config_last_reload_successful 0'),
    );
    assert.equal(d.child.exitCode, null, 'still running');
    assert.match(d.stdout() + d.stderr(), /accounts\[0\]\.appid: expected an appid/);
    assert.equal((await get(`${base}/-/healthy`))?.status, 200);
    assert.equal((await get(`${base}/-/reload`))?.status, 405);
    assert.equal((await fetch(`${base}/-/reload`, { method: 'POST' })).status, 403, 'without --web.enable-lifecycle');
  });

  it('POST /-/reload with --web.enable-lifecycle applies a valid config (200) and refuses an invalid one (500)', async () => {
    const d = () => daemon as Daemon;
    const { base, file } = await start(['--web.enable-lifecycle']);
    writeFileSync(file, config(sim.url, [NEWS]));
    const ok = await fetch(`${base}/-/reload`, { method: 'POST' });
    assert.equal(ok.status, 200, await ok.text());
    assert.match(d().stdout() + d().stderr(), /POST \/-\/reload: reloading the configuration.*read at start only; restart to change them/);
    const metrics = (await get(`${base}/metrics`))?.body ?? '';
    assert.doesNotMatch(metrics, /account="shop"/);
    assert.match(metrics, /wechat_exporter_config_last_reload_successful 1/);
    writeFileSync(file, 'schedule: {cron: never}\naccounts: []\n');
    const bad = await fetch(`${base}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /schedule\.cron: expected a cron expression/);
  });

  it('check-config accepts a config whose accounts all come from discovery, and says so', async () => {
    const file = join(tmp.dir, 'discovery.yml');
    writeFileSync(file, `discovery: {files: ['${tmp.dir}/accounts/*.yml'], http: {url: 'http://127.0.0.1:1/accounts'}}\n`);
    const run = runCli(['check-config', `--config.file=${file}`]);
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stdout(), /0 account\(s\): ; more from discovery \(1 file glob\(s\) and a URL, read at run time\)/);
  });
});

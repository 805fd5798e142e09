import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offsetClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { SHOP, tempDir } from '../helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor, type Daemon } from '../helpers/daemon-process.js';

const NOW = '2026-03-10T09:00:00+08:00';
const ENV = { SHOP_SECRET: SHOP.secret, WECHAT_EXPORTER_FAKE_NOW: NOW };

describe('--storage.retention.* on the command line (subprocess from source)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let daemon: Daemon | undefined;
  let sim: WechatSimulator | undefined;
  beforeEach(() => (tmp = tempDir()));
  afterEach(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
    daemon = undefined;
    await sim?.close();
    sim = undefined;
    tmp.remove();
  });

  const configFile = (baseUrl: string, lookbackDays: number): string => {
    const file = join(tmp.dir, 'config.yml');
    writeFileSync(
      file,
      `wechat: {baseUrls: [${baseUrl}]}\nschedule: {lookbackDays: ${lookbackDays}}\naccounts:\n  - {name: shop, appid: ${SHOP.appid}, secretEnv: SHOP_SECRET}\n`,
    );
    return file;
  };

  it('check-config and the daemon exit 2 naming both when the retention is shorter than lookbackDays + 1 day', async () => {
    const file = configFile('http://127.0.0.1:9', 7);
    for (const args of [['check-config'], [`--web.listen-address=127.0.0.1:${await freePort()}`]]) {
      daemon = runCli([...args, `--config.file=${file}`, `--storage.path=${join(tmp.dir, 's.db')}`, '--storage.retention.time=7d'], ENV);
      assert.equal(await daemon.exited, 2, daemon.stderr());
      assert.match(
        daemon.stdout() + daemon.stderr(),
        /schedule\.lookbackDays: --storage\.retention\.time=7d is shorter than schedule\.lookbackDays \(7\)/,
      );
    }
    daemon = runCli(['check-config', `--config.file=${file}`, '--storage.retention.time=8d'], ENV);
    assert.equal(await daemon.exited, 0, daemon.stderr());
  });

  it('a bad size exits 2 naming the flag', async () => {
    daemon = runCli(['check-config', `--config.file=${configFile('http://127.0.0.1:9', 7)}`, '--storage.retention.size=2G'], ENV);
    assert.equal(await daemon.exited, 2);
    assert.match(daemon.stderr(), /--storage\.retention\.size=2G: expected a size like 512MB or 2GB/);
  });

  it('a reload raising lookbackDays past the retention is refused naming both; the daemon runs on', async () => {
    sim = new WechatSimulator({ accounts: [SHOP], clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
    const file = configFile(sim.url, 3);
    const port = await freePort();
    daemon = runCli(
      [
        `--config.file=${file}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.path=${join(tmp.dir, 's.db')}`,
        '--storage.retention.time=30d',
      ],
      {
        ...ENV,
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor('shop polled', async () =>
      (await get(`${base}/metrics`))?.body.includes('wechat_exporter_store_oldest_day_timestamp_seconds 1772'),
    );
    const page = (await get(`${base}/`))?.body ?? '';
    assert.match(
      page,
      /<p id="store">Store: [0-9.]+ KiB, oldest day 2026-03-07 \(retention 30d\); [0-9.]+ [KMGT]iB free of [0-9.]+ [KMGT]iB on its filesystem\.<\/p>/,
    );
    configFile(sim.url, 60);
    daemon.child.kill('SIGHUP');
    await waitFor('reload refused', async () =>
      (await get(`${base}/metrics`))?.body.includes('wechat_exporter_config_last_reload_successful 0'),
    );
    assert.match(daemon.stderr() + daemon.stdout(), /--storage\.retention\.time=30d is shorter than schedule\.lookbackDays \(60\)/);
    assert.equal(daemon.child.exitCode, null);
  });
});

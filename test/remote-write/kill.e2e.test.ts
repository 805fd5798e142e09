/**
 * kill -9 in the middle of a push, then a restart: the daemon as a process (from source), its push
 * held by the receiver when it dies. The day must be pushed after the restart (once its lease runs
 * out), every other day too, and no sample twice.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offsetClock } from '../../src/clock.js';
import { readHistory } from '../../src/store/history.js';
import { historyTimeSeries, sampleCount } from '../../src/remote-write/encode.js';
import { Outbox } from '../../src/remote-write/outbox.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { Store } from '../../src/store/store.js';
import { NEWS, SHOP, tempDir } from '../helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor } from '../helpers/daemon-process.js';
import { TestReceiver } from './support/receiver.js';

const NOW = '2026-03-10T09:00:00+08:00';
const ACCOUNTS = [SHOP, NEWS];

describe('remote write: kill -9 during a push, then restart', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let sim: WechatSimulator;
  let receiver: TestReceiver;

  before(async () => {
    tmp = tempDir();
    sim = new WechatSimulator({ accounts: ACCOUNTS, clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
    receiver = new TestReceiver();
  });
  after(async () => {
    await receiver.close();
    await sim.close();
    tmp.remove();
  });

  it('pushes the interrupted day after the restart, and nothing twice', async () => {
    const url = await receiver.listen();
    const config = join(tmp.dir, 'config.yml');
    writeFileSync(
      config,
      [
        `wechat: {baseUrls: [${sim.url}]}`,
        'schedule: {lookbackDays: 2}',
        'accounts:',
        `  - {name: shop, appid: ${SHOP.appid}, secretEnv: S1}`,
        `  - {name: news, appid: ${NEWS.appid}, secretEnv: S2}`,
        'remoteWrite:',
        `  - {url: "${url}", timeout: 2s}`,
        '',
      ].join('\n'),
    );
    const storePath = join(tmp.dir, 'store.db');
    const env = { S1: SHOP.secret, S2: NEWS.secret, WECHAT_EXPORTER_FAKE_NOW: NOW };
    const args = async (port: number): Promise<string[]> => [
      `--config.file=${config}`,
      `--storage.path=${storePath}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ];

    receiver.answer = 'hold';
    const first = runCli(await args(await freePort()), env);
    await waitFor('a push held by the receiver', () => receiver.held > 0);
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    const store = new Store(storePath);
    const outbox = new Outbox(store.database);
    assert.equal(outbox.count(url, 'acked'), 0);
    assert.equal(outbox.count(url, 'pending'), 4, 'every stored day is queued, the interrupted one included');
    store.close();

    receiver.answer = { status: 204 };
    const port = await freePort();
    const second = runCli(await args(port), env);
    try {
      await waitFor(
        'every day accepted after the restart',
        async () =>
          /wechat_exporter_remote_write_pending_days\{url="[^"]+"\} 0/.test((await get(`http://127.0.0.1:${port}/metrics`))?.body ?? ''),
        30_000,
      );
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.stderr());
    }
    const after = new Store(storePath);
    try {
      const expected = sampleCount(
        historyTimeSeries(ACCOUNTS.map((a) => ({ ...a, days: readHistory(after, a.appid, '2026-03-08', '2026-03-09').days }))),
      );
      assert.equal(new Outbox(after.database).count(url, 'acked'), 4);
      assert.equal(receiver.sampleCount(), expected, 'every sample arrived');
      assert.equal(receiver.samples().size, expected, 'and none twice');
    } finally {
      after.close();
    }
  });
});

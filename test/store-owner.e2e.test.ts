import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/exporter-harness.js';
import { exporterPid, freePort, get, runCli, waitFor, type Daemon } from './helpers/daemon-process.js';
import { DAMAGE_APPID, deleteBehindBack, writeStore } from './helpers/store-damage.js';

const ENV = { S: 'owner-test-secret-000000000001', WECHAT_EXPORTER_FAKE_NOW: '2026-03-10T09:00:00+08:00' };

/** One account whose WeChat is a closed port on 127.0.0.1: these tests are about the store only. */
function configFile(dir: string): string {
  const path = join(dir, 'config.yml');
  writeFileSync(
    path,
    `wechat:\n  baseUrls: [http://127.0.0.1:9]\n  timeout: 1s\naccounts:\n  - {name: main, appid: ${DAMAGE_APPID}, secretEnv: S}\n`,
  );
  return path;
}

/** Resolves once the daemon answers /-/healthy. */
async function healthy(port: number, who: string): Promise<void> {
  await waitFor(who, async () => (await get(`http://127.0.0.1:${port}/-/healthy`))?.status === 200, 30_000);
}

describe('one owner per store, and a damaged store refused (real processes)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let first: Daemon | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    if (first && first.child.exitCode === null) {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    first = undefined;
    tmp.remove();
  });

  it('a second exporter on the same store exits 1 naming the owner pid; the first keeps running', async () => {
    const store = join(tmp.dir, 'store.db');
    const port = await freePort();
    // The first one polls an unreachable WeChat: it only has to own the store.
    const config = configFile(tmp.dir);
    const args = (p: number): string[] => [`--config.file=${config}`, `--storage.path=${store}`, `--web.listen-address=127.0.0.1:${p}`];
    first = runCli(args(port), ENV);
    await healthy(port, 'the first exporter');
    const pid = exporterPid(first.child);
    assert.equal(readFileSync(`${store}.pid`, 'utf8').split(/\s+/)[0], String(pid), 'the owner wrote its pid');

    const second = runCli(args(await freePort()), ENV);
    assert.equal(await second.exited, 1);
    assert.match(
      second.stderr(),
      new RegExp(`store ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another exporter \\(pid ${pid}\\)`),
    );
    assert.doesNotMatch(second.stderr(), /already exists|another application|at .*\.ts:\d+/, 'no misleading message, no stack trace');

    assert.equal((await get(`http://127.0.0.1:${port}/-/healthy`))?.status, 200, 'the first one is untouched');
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(existsSync(`${store}.pid`), false, 'the pid file goes with its owner');

    // Once the owner is gone, the store is free again at once (no stale lock, even after kill -9).
    const thirdPort = await freePort();
    const third = runCli(args(thirdPort), ENV);
    await healthy(thirdPort, 'the third exporter');
    third.child.kill('SIGKILL');
    await third.exited;
    const fourthPort = await freePort();
    const fourth = runCli(args(fourthPort), ENV);
    await healthy(fourthPort, 'a fourth exporter after kill -9 of the third');
    fourth.child.kill('SIGTERM');
    assert.equal(await fourth.exited, 0, fourth.stderr());
  });

  it('a damaged store: the exporter and backfill exit 1 naming the file and the recovery; store recover repairs it', async () => {
    const store = join(tmp.dir, 'store.db');
    writeStore(store);
    deleteBehindBack(store, 'DELETE FROM hourly WHERE ref_date = ? AND ref_hour = 11', '2026-02-03');

    const config = configFile(tmp.dir);
    const daemon = runCli(
      [`--config.file=${config}`, `--storage.path=${store}`, `--web.listen-address=127.0.0.1:${await freePort()}`],
      ENV,
    );
    assert.equal(await daemon.exited, 1);
    assert.match(daemon.stderr(), /storage .*store\.db is damaged: 1 day\(s\) marked stored lack rows: wx00000000000000d1 2026-02-03/);
    assert.match(daemon.stderr(), /store recover --storage\.path=/);

    const backfill = runCli(
      [
        'backfill',
        '--from=2026-02-01',
        '--to=2026-02-05',
        `--output=${join(tmp.dir, 'out.om')}`,
        `--config.file=${config}`,
        `--storage.path=${store}`,
      ],
      ENV,
    );
    assert.equal(await backfill.exited, 1, backfill.stderr());
    assert.match(backfill.stderr(), /is damaged: 1 day\(s\) marked stored lack rows/);
    assert.equal(existsSync(join(tmp.dir, 'out.om')), false, 'no history written with zeros in it');

    const recover = runCli(['store', 'recover', `--storage.path=${store}`], {});
    assert.equal(await recover.exited, 0, recover.stderr());
    assert.match(recover.stdout(), /moved the damaged store aside: .*store\.db\.damaged-\d{8}T\d{6}Z/);
    assert.match(recover.stdout(), /39 whole day\(s\) of 1 account\(s\) kept/);
    assert.match(recover.stdout(), /dropped wx00000000000000d1: 2026-02-03/);
    assert.deepEqual(
      readdirSync(tmp.dir).filter((f) => /\.damaged-\d{8}T\d{6}Z$/.test(f)),
      [`store.db.damaged-${/damaged-(\d{8}T\d{6}Z)/.exec(recover.stdout())?.[1]}`],
    );

    const port = await freePort();
    first = runCli([`--config.file=${config}`, `--storage.path=${store}`, `--web.listen-address=127.0.0.1:${port}`], ENV);
    await waitFor(
      'the exporter on the recovered store',
      async () => (await get(`http://127.0.0.1:${port}/-/ready`))?.status === 200,
      30_000,
    );

    // The daemon owns the store; a backfill still shares it (docs/backfill.md), here of stored days only.
    const out = join(tmp.dir, 'history.om');
    const shared = runCli(
      ['backfill', '--from=2026-02-01', '--to=2026-02-02', `--output=${out}`, `--config.file=${config}`, `--storage.path=${store}`],
      ENV,
    );
    assert.equal(await shared.exited, 0, shared.stderr());
    assert.match(readFileSync(out, 'utf8'), /wechat_interface_history_hourly_callbacks\{appid="wx00000000000000d1",account="main"\} 672 /);
  });
});

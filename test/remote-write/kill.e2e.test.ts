/**
 * kill -9 in the middle of a push, then a restart: the daemon as a process (from source), its push
 * held by the receiver when it dies. The day must be pushed after the restart (once its lease runs
 * out), every other day too, and no sample twice.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { offsetClock } from '../../src/clock.js';
import { readHistory } from '../../src/store/history.js';
import { historyTimeSeries, sampleCount } from '../../src/remote-write/encode.js';
import { Outbox } from '../../src/remote-write/outbox.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { Store } from '../../src/store/store.js';
import { NEWS, SHOP, tempDir } from '../helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor, type Daemon } from '../helpers/daemon-process.js';
import { TestReceiver } from './support/receiver.js';

const NOW = '2026-03-10T09:00:00+08:00';
const ACCOUNTS = [SHOP, NEWS];
const FROM = '2026-03-08';
const TO = '2026-03-09';
const ACCOUNT_DAYS = ACCOUNTS.length * 2;

/**
 * Days stored and rows queued for `url`, read from the running daemon's store through a read-only
 * connection (WAL: it sees each committed day, and never blocks the daemon's writes). A day and its
 * outbox row are written in one transaction, so both counts move together.
 */
function storedAndQueued(storePath: string, url: string): { stored: number; queued: number } {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string, ...params: string[]): number => db.prepare<string[], { n: number }>(sql).get(...params)?.n ?? 0;
    return {
      stored: count('SELECT count(*) AS n FROM days WHERE ref_date BETWEEN ? AND ?', FROM, TO),
      queued: count('SELECT count(*) AS n FROM remote_write_outbox WHERE url = ?', url),
    };
  } finally {
    db.close();
  }
}

describe('remote write: kill -9 during a push, then restart', function () {
  // Two daemon start-ups from source (tsx) and a lease to run out: tens of seconds on a loaded 2-core machine.
  this.timeout(180_000);
  let tmp: ReturnType<typeof tempDir>;
  let sim: WechatSimulator;
  let receiver: TestReceiver;
  const daemons: Daemon[] = [];

  before(async () => {
    tmp = tempDir();
    sim = new WechatSimulator({ accounts: ACCOUNTS, clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
    receiver = new TestReceiver();
  });
  after(async () => {
    // A failed assertion must not leave a daemon running.
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
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
    daemons.push(first);
    // Kill only once every day of every account is stored (and so queued), and while the receiver
    // holds a push whose sender still waits for the answer: a held push can end on its own (the
    // target's 2 s timeout), and the second account's days can still be on their way from WeChat.
    const seen = await waitFor(
      'every day of every account stored and queued, and a push held in flight',
      async () => {
        if (first.child.exitCode !== null) throw new Error(`the daemon exited: ${first.stderr()}`);
        const now = storedAndQueued(storePath, url);
        return now.stored === ACCOUNT_DAYS && now.queued === ACCOUNT_DAYS && receiver.inFlight > 0 && now;
      },
      90_000,
    );
    assert.deepEqual(seen, { stored: ACCOUNT_DAYS, queued: ACCOUNT_DAYS });
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    await waitFor('the held connection to drop with the killed daemon', () => receiver.inFlight === 0, 30_000);
    const store = new Store(storePath);
    const outbox = new Outbox(store.database);
    assert.equal(outbox.count(url, 'acked'), 0);
    assert.equal(outbox.count(url, 'pending'), ACCOUNT_DAYS, 'every stored day is queued, the interrupted one included');
    store.close();

    receiver.answer = { status: 204 };
    const port = await freePort();
    const second = runCli(await args(port), env);
    daemons.push(second);
    try {
      await waitFor(
        'every day accepted after the restart',
        async () =>
          /wechat_exporter_remote_write_pending_days\{url="[^"]+"\} 0/.test((await get(`http://127.0.0.1:${port}/metrics`))?.body ?? ''),
        90_000,
      );
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.stderr());
    }
    const after = new Store(storePath);
    try {
      const expected = sampleCount(historyTimeSeries(ACCOUNTS.map((a) => ({ ...a, days: readHistory(after, a.appid, FROM, TO).days }))));
      assert.equal(new Outbox(after.database).count(url, 'acked'), ACCOUNT_DAYS);
      assert.equal(receiver.sampleCount(), expected, 'every sample arrived');
      assert.equal(receiver.samples().size, expected, 'and none twice');
    } finally {
      after.close();
    }
  });
});

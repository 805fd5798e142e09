/**
 * The exporter's remote write against a receiver in this test (decoding every request): what is
 * pushed when days are stored, retries, refusals, restarts, and that nothing is sent twice.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { offsetClock } from '../../src/clock.js';
import { historyTimeSeries, sampleCount } from '../../src/remote-write/encode.js';
import { readHistory } from '../../src/store/history.js';
import { simulatedHours, type WechatSimulator } from '../../src/simulator/index.js';
import type { Store } from '../../src/store/store.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness, type TestAccount } from '../helpers/exporter-harness.js';
import { waitFor } from '../helpers/daemon-process.js';
import { sample, startSimulator } from '../helpers/wechat-stack.js';
import { TestReceiver } from './support/receiver.js';

const NOW = '2026-03-10T09:00:00+08:00';
const FROM = '2026-03-08';
const TO = '2026-03-09';
const ACCOUNTS: readonly TestAccount[] = [SHOP, NEWS];
const PASSWORD = 'rw-password-0123456789';
const FAST = { minBackoffMs: 50, maxBackoffMs: 200 };
/** Waits end on a condition; this only bounds a broken run (in-process, but on a loaded 2-core machine). */
const WAIT_MS = 60_000;

/** Samples the store holds for the days of the test, as the history renders them. */
function storeSamples(store: Store): number {
  return sampleCount(historyTimeSeries(ACCOUNTS.map((a) => ({ ...a, days: readHistory(store, a.appid, FROM, TO).days }))));
}

describe('remote write from the exporter', function () {
  this.timeout(120_000);
  const clock = offsetClock(NOW);
  let sim: WechatSimulator;
  let receiver: TestReceiver;
  let url: string;
  let tmp: ReturnType<typeof tempDir>;
  let harness: Harness | undefined;

  beforeEach(async () => {
    sim = await startSimulator(clock, ACCOUNTS);
    receiver = new TestReceiver();
    url = await receiver.listen();
    tmp = tempDir();
    writeFileSync(join(tmp.dir, 'password'), `${PASSWORD}\n`);
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await receiver.close();
    await sim.close();
    tmp.remove();
  });

  const start = (): Harness =>
    (harness = startExporter({
      sim,
      clock,
      storePath: join(tmp.dir, 'store.db'),
      accounts: ACCOUNTS,
      schedule: { lookbackDays: 2 },
      extraConfig: {
        remoteWrite: [
          {
            url,
            timeout: '1s',
            headers: { 'X-Scope-OrgID': 'wechat' },
            basicAuth: { username: 'u', passwordFile: join(tmp.dir, 'password') },
          },
        ],
      },
      remoteWriteBackoff: FAST,
    }));

  const allAcked = (h: Harness): boolean => h.remoteWriter?.outbox.count(url, 'acked') === 4;
  const allStored = (h: Harness): boolean => ACCOUNTS.every((a) => h.store.storedDays(a.appid, FROM, TO).size === 2);
  /** Whether the target's worker would push anything now: it claims a due day, or finds none. */
  const nothingDue = async (h: Harness): Promise<boolean> => {
    const worker = h.remoteWriter?.workers.get(url);
    assert.ok(worker);
    return h.remoteWriter?.outbox.count(url, 'pending') === 0 && !(await worker.pushNext());
  };

  it('pushes every stored day once, with the protocol headers and credentials', async () => {
    const h = start();
    h.start();
    await waitFor('4 account-days acknowledged', () => allAcked(h), WAIT_MS);
    assert.equal(receiver.received.length, 4, 'one request per account-day');
    assert.equal(receiver.sampleCount(), storeSamples(h.store));
    const headers = receiver.received[0]?.headers ?? {};
    assert.equal(headers['content-encoding'], 'snappy');
    assert.equal(headers['content-type'], 'application/x-protobuf');
    assert.equal(headers['x-prometheus-remote-write-version'], '0.1.0');
    assert.equal(headers['user-agent'], 'wechat-interface-exporter/0.0.0-test');
    assert.equal(headers['x-scope-orgid'], 'wechat');
    assert.equal(headers['authorization'], `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`);
    // Hour 13:00–14:00 Beijing of the 9th, as WeChat (the simulator) reports it.
    const wechat = simulatedHours(SHOP.appid, TO).find((r) => r.ref_hour === 13);
    assert.ok(wechat && wechat.callback_count > 0);
    assert.equal(
      receiver.samples().get(`wechat_interface_history_hourly_callbacks|shop|${Date.parse('2026-03-09T14:00:00+08:00')}`),
      wechat.callback_count,
    );
    assert.equal(await sample(h.exporter.registry, 'wechat_exporter_remote_write_samples_total', { url }), storeSamples(h.store));
    assert.equal(await sample(h.exporter.registry, 'wechat_exporter_remote_write_pending_days', { url }), 0);
  });

  it('retries 503 and 429 with backoff and delivers each day once', async () => {
    receiver.answer = { status: 503, body: 'overloaded' };
    const h = start();
    h.start();
    // Both accounts' days stored (a push can fail 3 times before the second account's days are in).
    await waitFor(
      'every day stored, and failed pushes',
      async () =>
        allStored(h) && (await sample(h.exporter.registry, 'wechat_exporter_remote_write_failures_total', { url, status: '503' })) >= 3,
      WAIT_MS,
    );
    assert.equal(await sample(h.exporter.registry, 'wechat_exporter_remote_write_pending_days', { url }), 4);
    const page = await request(h.app).get('/');
    assert.match(page.text, /retrying 2026-03-0\d \(503\): overloaded/);
    receiver.answer = { status: 429, body: 'slow down' };
    await waitFor(
      'a 429',
      async () => (await sample(h.exporter.registry, 'wechat_exporter_remote_write_failures_total', { url, status: '429' })) >= 1,
      WAIT_MS,
    );
    receiver.answer = { status: 204 };
    await waitFor('all acknowledged', () => allAcked(h), WAIT_MS);
    assert.equal(receiver.sampleCount(), storeSamples(h.store), 'nothing lost, nothing doubled');
  });

  it("marks a day refused with a 400 failed, with the receiver's message on the page, in the log and metrics", async () => {
    receiver.answer = { status: 400, body: `out of bounds (a secret-looking echo: ${PASSWORD})` };
    const h = start();
    h.start();
    await waitFor('4 failed days', () => h.remoteWriter?.outbox.count(url, 'failed') === 4, WAIT_MS);
    const page = await request(h.app).get('/');
    assert.match(page.text, /Remote write/);
    assert.match(page.text, /2026-03-08 <code>wx00000000000000a1<\/code>: HTTP 400: out of bounds/);
    const metrics = (await request(h.app).get('/metrics')).text;
    assert.match(metrics, /wechat_exporter_remote_write_failures_total\{url="[^"]+",status="400"\} 4/);
    assert.match(metrics, /wechat_exporter_remote_write_failed_days\{url="[^"]+"\} 4/);
    assert.ok(h.lines.some((l) => l.includes('refused the day') && l.includes('out of bounds')));
    for (const text of [page.text, metrics, h.lines.join('\n')]) assert.ok(!text.includes(PASSWORD), 'the password never shows');
    // Failed days are not retried: with the receiver accepting again, the worker finds nothing to push.
    const before = receiver.received.length;
    receiver.answer = { status: 204 };
    assert.ok(await nothingDue(h), 'a failed day is not pushed again');
    assert.equal(receiver.received.length, before);
    assert.equal(h.remoteWriter?.outbox.count(url, 'failed'), 4);
  });

  it('loses nothing and doubles nothing when restarted during a push; acknowledged days are never sent again', async () => {
    receiver.answer = 'hold';
    const first = start();
    first.start();
    // Every day stored, and a push held by the receiver with the exporter still waiting for it
    // (a held push also ends by the target's 1 s timeout, then the next day is pushed and held).
    await waitFor('days stored and a push in flight', () => allStored(first) && receiver.inFlight > 0, WAIT_MS);
    await first.close();
    harness = undefined;
    receiver.answer = { status: 204 };
    const second = start();
    second.start();
    await waitFor('all acknowledged after the restart', () => allAcked(second), WAIT_MS);
    assert.equal(receiver.sampleCount(), storeSamples(second.store));
    await second.close();
    const third = start();
    third.start();
    // The start-up catch-up has run (synchronously, at creation): every day still acknowledged, none due.
    assert.equal(third.remoteWriter?.outbox.count(url, 'acked'), 4);
    assert.ok(await nothingDue(third), 'acknowledged days are not queued again after a restart');
    assert.equal(receiver.sampleCount(), storeSamples(third.store), 'acknowledged days are not pushed again after a restart');
  });
});

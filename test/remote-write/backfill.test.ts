/** `backfill --remote-write URL`: the same samples as the file, through the outbox, resumable. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { offsetClock } from '../../src/clock.js';
import type { WechatSimulator } from '../../src/simulator/index.js';
import { parseSamples, runCommand, startSimulator, writeConfig } from '../backfill/helpers.js';
import { TestReceiver } from './support/receiver.js';

const clock = offsetClock('2026-03-10T09:00:00+08:00');
const RANGE = { from: '2026-03-07', to: '2026-03-09' };

describe('backfill --remote-write', function () {
  // In-process, but a backfill fetches and pushes every day: room for a loaded 2-core machine.
  this.timeout(120_000);
  let sim: WechatSimulator;
  let receiver: TestReceiver;
  let url: string;
  let dir: string;

  beforeEach(async () => {
    sim = await startSimulator(clock);
    receiver = new TestReceiver();
    url = await receiver.listen();
    dir = writeConfig(sim.url);
  });
  afterEach(async () => {
    await receiver.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (flags: Record<string, string | undefined>, giveUpMs = 30_000) =>
    runCommand(dir, clock, { ...RANGE, remoteWrite: url, ...flags }, undefined, { remoteWriteGiveUpMs: giveUpMs });

  /** The receiver's samples keyed as parseSamples keys the file: `name account seconds`. */
  const received = (): Map<string, number> =>
    new Map(
      [...receiver.samples()].map(([k, v]) => {
        const [name, account, ms] = k.split('|');
        return [`${name} ${account} ${Number(ms) / 1000}`, v];
      }),
    );

  it('pushes exactly the samples the file holds, and nothing again on a second run', async () => {
    const first = await run({ output: join(dir, 'history.om') });
    assert.equal(first.code, 0, first.stderr);
    const file = parseSamples(readFileSync(join(dir, 'history.om'), 'utf8'));
    assert.ok(file.size > 500);
    assert.deepEqual(received(), file);
    assert.equal(receiver.sampleCount(), file.size, 'each sample once');
    assert.match(first.stderr, /6 account-days accepted \(\d+ samples\), 0 refused, 0 still pending/);
    const again = await run({ output: undefined });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /6 stored account-days in the range, 0 to push/);
    assert.equal(receiver.sampleCount(), file.size);
  });

  it('is resumable: a receiver that keeps failing leaves the days pending for the next run', async () => {
    receiver.answer = { status: 503, body: 'ingester unavailable' };
    const stopped = await run({ output: undefined }, 300);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.match(stopped.stderr, /0 account-days accepted .* 6 still pending/);
    assert.match(stopped.stderr, /last answer: 503: ingester unavailable\); run the same command again to resume/);
    receiver.answer = { status: 204 };
    const resumed = await run({ output: join(dir, 'history.om') });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(receiver.sampleCount(), parseSamples(readFileSync(join(dir, 'history.om'), 'utf8')).size);
  });

  it("reports refused days with the receiver's message, and pushes them again once the receiver is fixed", async () => {
    receiver.answer = { status: 400, body: 'out of bounds' };
    const refused = await run({ output: undefined });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused 2026-03-07\.\.2026-03-09: main \(wx0123456789abcdef\): HTTP 400: out of bounds/);
    receiver.answer = { status: 204 };
    const fixed = await run({ output: undefined });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stderr, /6 to push/);
    assert.match(fixed.stderr, /6 account-days accepted/);
  });

  it('refuses a bad URL before fetching anything (exit 2)', async () => {
    const bad = await run({ remoteWrite: 'http://user:pw@127.0.0.1:1/api/v1/write', output: undefined });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--remote-write: credentials in the URL are not allowed/);
    assert.ok(!bad.stderr.includes('pw@'));
    const none = await runCommand(dir, clock, { ...RANGE, output: undefined });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--output: required .* unless --remote-write URL is given/);
  });
});

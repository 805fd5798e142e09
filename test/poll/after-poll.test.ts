import assert from 'node:assert/strict';
import { CallAbortedError, HttpStatusError, NetworkError, QuotaExhaustedError, WechatApiError } from '../../src/errors.js';
import type { PollResult } from '../../src/poll/account-poller.js';
import { afterPoll, isHeld, type AfterPollInput } from '../../src/poll/after-poll.js';

const STARTED = Date.parse('2026-03-10T08:15:00+08:00');
const NOW = STARTED + 2_000;
const NEXT_CRON = Date.parse('2026-03-11T08:15:00+08:00');
const RETRY = 1_800_000;

function input(result: Partial<PollResult>, extra: Partial<AfterPollInput> = {}): AfterPollInput {
  return {
    result: { calls: 2, saved: [], pending: [], ...result },
    startedAt: STARTED,
    now: NOW,
    nextCronAt: NEXT_CRON,
    retryIntervalMs: RETRY,
    quotaUntil: undefined,
    redact: (s) => s.replace('s3cret', '*****'),
    ...extra,
  };
}

describe('after-poll rules (pure)', () => {
  it('success with every day in: up, no retry, next poll at the cron run', () => {
    const after = afterPoll(input({ saved: ['2026-03-09'] }));
    assert.equal(after.kind, 'ok');
    assert.ok(after.kind === 'ok');
    assert.equal(after.retry, false);
    assert.deepEqual(after.state, {
      lastPollAt: STARTED,
      pendingDays: [],
      up: true,
      lastError: undefined,
      holdUntil: undefined,
      nextPollAt: NEXT_CRON,
    });
  });

  it('success with days not published yet: up, retried after retryInterval', () => {
    const after = afterPoll(input({ pending: ['2026-03-09'] }));
    assert.ok(after.kind === 'ok');
    assert.equal(after.retry, true);
    assert.equal(after.state.nextPollAt, NOW + RETRY);
    assert.deepEqual(after.state.pendingDays, ['2026-03-09']);
  });

  const transient: [string, unknown][] = [
    ['a network error', new NetworkError('getinterfacesummary', 'ECONNRESET')],
    ['a 5xx', new HttpStatusError('getinterfacesummary', 503)],
    ['WeChat busy (-1)', new WechatApiError('getinterfacesummary', -1, 'system error')],
  ];
  for (const [what, error] of transient) {
    it(`${what}: down, retried after retryInterval, not held`, () => {
      const after = afterPoll(input({ error, pending: ['2026-03-09'] }));
      assert.ok(after.kind === 'failed');
      assert.equal(after.retry, true);
      assert.equal(after.held, false);
      assert.equal(after.state.up, false);
      assert.equal(after.state.holdUntil, undefined);
      assert.equal(after.state.nextPollAt, NOW + RETRY);
    });
  }

  it('a configuration error: down, held until the next cron run, with its reason and errcode', () => {
    const after = afterPoll(input({ error: new WechatApiError('getinterfacesummary', 40164, 'invalid ip s3cret') }));
    assert.ok(after.kind === 'failed');
    assert.equal(after.retry, false);
    assert.equal(after.held, true);
    assert.equal(after.state.holdUntil, NEXT_CRON);
    assert.equal(after.state.nextPollAt, NEXT_CRON);
    assert.equal(after.error?.reason, 'ip_not_whitelisted');
    assert.equal(after.error?.errcode, 40164);
    assert.ok(!after.error?.message.includes('s3cret'), 'the message is redacted');
  });

  it('an unknown errcode is a bug: held like a configuration error', () => {
    const after = afterPoll(input({ error: new WechatApiError('getinterfacesummary', 99999, 'new') }));
    assert.ok(after.kind === 'failed');
    assert.equal(after.held, true);
    assert.equal(after.error?.reason, 'wechat_error');
  });

  it('quota spent: held until 00:00 Beijing when that is later than the next cron run', () => {
    const midnight = Date.parse('2026-03-11T00:00:00+08:00');
    const error = new QuotaExhaustedError(midnight);
    const early = afterPoll(input({ error }, { quotaUntil: midnight, nextCronAt: Date.parse('2026-03-10T20:00:00+08:00') }));
    assert.ok(early.kind === 'failed');
    assert.equal(early.state.holdUntil, midnight);
    assert.equal(early.error?.reason, 'quota_exhausted');
    assert.equal(early.error?.errcode, 45009);
    const late = afterPoll(input({ error }, { quotaUntil: midnight }));
    assert.ok(late.kind === 'failed');
    assert.equal(late.state.holdUntil, NEXT_CRON);
  });

  it('an abandoned poll (shutdown) changes nothing', () => {
    assert.deepEqual(afterPoll(input({ error: new CallAbortedError('getinterfacesummary') })), { kind: 'aborted' });
  });

  it('an error the exporter did not raise is an internal error, held', () => {
    const after = afterPoll(input({ error: new TypeError('boom') }));
    assert.ok(after.kind === 'failed');
    assert.equal(after.held, true);
    assert.equal(after.error?.reason, 'internal_error');
  });

  it('a retry run skips an account held until later; cron and start runs do not', () => {
    assert.equal(isHeld({ holdUntil: NEXT_CRON }, 'retry', NOW), true);
    assert.equal(isHeld({ holdUntil: NEXT_CRON }, 'cron', NOW), false);
    assert.equal(isHeld({ holdUntil: NEXT_CRON }, 'start', NOW), false);
    assert.equal(isHeld({ holdUntil: NOW - 1 }, 'retry', NOW), false);
    assert.equal(isHeld({ holdUntil: undefined }, 'retry', NOW), false);
  });
});

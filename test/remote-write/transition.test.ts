import assert from 'node:assert/strict';
import { afterPush, backoffMs, verdictOf, type OutboxEntry } from '../../src/remote-write/transition.js';

const POLICY = { minBackoffMs: 1_000, maxBackoffMs: 60_000 };
const PENDING: OutboxEntry = {
  url: 'http://r/api/v1/write',
  appid: 'wx0123456789abcdef',
  refDate: '2026-03-09',
  state: 'pending',
  attempts: 0,
  nextAttemptAt: 0,
};
const NOW = Date.parse('2026-03-10T09:00:00+08:00');

describe('remote-write outbox rules', () => {
  it('classifies statuses: 2xx accepted, 5xx/429/network retried, other 4xx refused', () => {
    assert.equal(verdictOf(200), 'accepted');
    assert.equal(verdictOf(204), 'accepted');
    for (const s of [500, 502, 503, 429, 'network'] as const) assert.equal(verdictOf(s), 'retry', String(s));
    for (const s of [400, 401, 403, 404, 409, 413, 301]) assert.equal(verdictOf(s), 'rejected', String(s));
  });

  it('refuses Prometheus < 2.50\'s 500 "too old sample" (older than its out-of-order window), retries other 500s', () => {
    assert.equal(verdictOf(500, 'too old sample'), 'rejected');
    assert.equal(verdictOf(500, 'context deadline exceeded'), 'retry');
    const next = afterPush(PENDING, { status: 500, message: 'too old sample' }, 125, NOW, POLICY);
    assert.deepEqual([next.state, next.lastStatus, next.lastError], ['failed', '500', 'too old sample']);
  });

  it('backs off doubling from the minimum, bounded by the maximum', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => backoffMs(n, POLICY)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
  });

  it('acks a day on 2xx, with the samples accepted', () => {
    const next = afterPush(PENDING, { status: 204, message: '' }, 125, NOW, POLICY);
    assert.equal(next.state, 'acked');
    assert.equal(next.samples, 125);
    assert.equal(next.attempts, 1);
    assert.equal(next.lastError, undefined);
  });

  it('keeps a day pending after a 503 or a network error, due after the backoff', () => {
    const once = afterPush(PENDING, { status: 503, message: 'overloaded' }, 125, NOW, POLICY);
    assert.deepEqual(
      [once.state, once.attempts, once.nextAttemptAt - NOW, once.lastStatus, once.lastError],
      ['pending', 1, 1_000, '503', 'overloaded'],
    );
    const twice = afterPush(once, { status: 'network', message: 'ECONNREFUSED' }, 125, NOW, POLICY);
    assert.deepEqual([twice.state, twice.attempts, twice.nextAttemptAt - NOW, twice.lastStatus], ['pending', 2, 2_000, 'network']);
    const then = afterPush(twice, { status: 200, message: '' }, 125, NOW, POLICY);
    assert.equal(then.state, 'acked');
    assert.equal(then.attempts, 3);
  });

  it("marks a day failed on a 400, keeping the receiver's message", () => {
    const next = afterPush(PENDING, { status: 400, message: 'out of bounds' }, 125, NOW, POLICY);
    assert.deepEqual([next.state, next.lastStatus, next.lastError], ['failed', '400', 'out of bounds']);
  });

  it('never changes an acknowledged or failed day', () => {
    const acked: OutboxEntry = { ...PENDING, state: 'acked', attempts: 1, samples: 125 };
    assert.equal(afterPush(acked, { status: 500, message: 'x' }, 125, NOW, POLICY), acked);
    const failed: OutboxEntry = { ...PENDING, state: 'failed', attempts: 1 };
    assert.equal(afterPush(failed, { status: 204, message: '' }, 125, NOW, POLICY), failed);
  });
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { callSignal } from '../../src/wechat/call-signal.js';

/** What the signal keeps in its symbol-keyed collections (its listeners; on Node 20, AbortSignal.any's dependants: node's own Set, not this realm's). */
function held(signal: AbortSignal): number {
  return Object.getOwnPropertySymbols(signal)
    .map((s) => (signal as unknown as Record<symbol, unknown>)[s])
    .reduce<number>((n, v) => n + (typeof (v as { size?: unknown } | undefined)?.size === 'number' ? (v as { size: number }).size : 0), 0);
}

describe('wechat/call-signal: one exchange’s abort signal', () => {
  it('thousands of released exchanges leave nothing on the client’s long-lived signal', () => {
    const closing = new AbortController();
    for (let i = 0; i < 2_000; i++) callSignal(closing.signal, 60_000).release();
    assert.equal(getEventListeners(closing.signal, 'abort').length, 0);
    assert.equal(held(closing.signal), 0);
  });

  it('the check above sees what AbortSignal.any leaves (where node keeps it)', function () {
    const closing = new AbortController();
    const kept = Array.from({ length: 10 }, () => AbortSignal.any([AbortSignal.timeout(60_000), closing.signal]));
    if (held(closing.signal) === 0) {
      console.log(`      (skipped: node ${process.version} keeps no dependants on the source signal)`);
      this.skip();
    }
    assert.ok(held(closing.signal) >= kept.length);
  });

  it('aborts on its timeout, and says so', async () => {
    const closing = new AbortController();
    const call = callSignal(closing.signal, 20);
    await new Promise((r) => call.signal.addEventListener('abort', r));
    assert.equal(call.timedOut(), true);
    assert.equal((call.signal.reason as DOMException).name, 'TimeoutError');
    call.release();
  });

  it('aborts when the client closes, with its reason, and at once when it already has', () => {
    const closing = new AbortController();
    const call = callSignal(closing.signal, 60_000);
    const reason = new Error('closing');
    closing.abort(reason);
    assert.equal(call.signal.aborted, true);
    assert.equal(call.signal.reason, reason);
    assert.equal(call.timedOut(), false);
    call.release();
    const late = callSignal(closing.signal, 60_000);
    assert.equal(late.signal.reason, reason);
    late.release();
  });
});

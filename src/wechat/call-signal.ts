/** The abort signal of one HTTP exchange: its own timeout, or the client closing. */
export interface CallSignal {
  readonly signal: AbortSignal;
  /** Whether it was the timeout that aborted it. */
  readonly timedOut: () => boolean;
  /** Ends the exchange's hold on the timer and on the client's signal; call it in `finally`. */
  readonly release: () => void;
}

/**
 * Not `AbortSignal.any([AbortSignal.timeout(ms), closing])`: on Node 20 each such call leaves a
 * WeakRef in the long-lived `closing` signal's set of dependants, never removed while it lives.
 * One per WeChat request, that was some 500 KiB a month per 100 accounts, growing for the
 * process' life (heap snapshots of bench/longrun.ts, days 10 and 40: +15,246 WeakRefs). Here the
 * listener on `closing` and the timer are removed when the exchange ends.
 */
export function callSignal(closing: AbortSignal, timeoutMs: number): CallSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onClosing = (): void => controller.abort(closing.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  if (closing.aborted) onClosing();
  else closing.addEventListener('abort', onClosing, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      clearTimeout(timer);
      closing.removeEventListener('abort', onClosing);
    },
  };
}

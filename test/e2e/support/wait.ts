/** Bounded polling for end-to-end tests: every wait ends, and a timeout says what it last saw. */

/** One look at the condition: done with a value, or not yet with a description of what was seen. */
export type Attempt<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly state: string };

export const done = <T>(value: T): Attempt<T> => ({ done: true, value });
export const notYet = (state: string): Attempt<never> => ({ done: false, state });

/** An error a check throws to stop waiting at once (a process died): retrying cannot help. */
export class FatalWaitError extends Error {
  override readonly name = 'FatalWaitError';
}

export interface WaitOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** @default 250 */
  readonly intervalMs?: number;
}

/**
 * Runs `check` until it is done, at most `timeoutMs`. A check that throws counts as "not yet"
 * (a server still starting refuses connections) unless it throws a FatalWaitError.
 */
export async function waitFor<T>(what: string, check: () => Promise<Attempt<T>>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  const started = Date.now();
  let last: string;
  for (;;) {
    try {
      const attempt = await check();
      if (attempt.done) return attempt.value;
      last = attempt.state;
    } catch (err) {
      if (err instanceof FatalWaitError) throw new Error(`while waiting for ${what}: ${err.message}`, { cause: err });
      last = `error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last state: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

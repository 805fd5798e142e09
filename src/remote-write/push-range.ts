import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { RemoteWriteConfig } from '../config/remote-write.js';
import { plainTarget } from './targets.js';
import { eachDay, formatDays, type BeijingDate, type DayRange } from '../dates.js';
import type { Redactor } from '../redact.js';
import type { Store } from '../store/store.js';
import { RemoteWriter } from './remote-writer.js';
import type { BackoffPolicy, OutboxEntry } from './transition.js';

export interface PushRangeOptions extends DayRange {
  readonly url: string;
  /** The config's targets: a URL listed there is pushed with its headers, credentials and TLS. */
  readonly configured: readonly RemoteWriteConfig[];
  /** The accounts to push. */
  readonly accounts: readonly { readonly name: string; readonly appid: string }[];
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly userAgent: string;
  readonly report: (line: string) => void;
  /** Stop retrying (leaving the rest pending for the next run) after this long. @default 600000 */
  readonly giveUpAfterMs?: number;
  readonly backoff?: BackoffPolicy;
}

/** Failed days grouped by account and message, so 300 refused days make a few lines. */
function reportFailures(failed: readonly OutboxEntry[], names: ReadonlyMap<string, string>, report: (line: string) => void): void {
  const groups = new Map<string, BeijingDate[]>();
  for (const f of failed) {
    const key = `${names.get(f.appid) ?? f.appid} (${f.appid}): HTTP ${f.lastStatus ?? '?'}: ${f.lastError ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f.refDate]);
  }
  for (const [key, days] of groups) report(`  refused ${formatDays(days)}: ${key}`);
}

/**
 * `backfill --remote-write URL`: queues the stored days of the range for URL in the outbox (new
 * days pending, refused days once more, accepted days never again) and pushes them with the
 * daemon's own worker. Resolves true when every stored day of the range is accepted. What is
 * still pending when it gives up stays queued: the next run (or the daemon, if URL is in its
 * config) resumes there.
 */
export async function pushRange(o: PushRangeOptions): Promise<boolean> {
  const target = o.configured.find((t) => t.url === o.url) ?? plainTarget(o.url);
  const writer = new RemoteWriter({ ...o, targets: [target], backoff: o.backoff });
  const worker = writer.workers.get(target.url);
  const label = writer.label(target.url);
  const scope = { appids: o.accounts.map((a) => a.appid), from: o.from, to: o.to };
  const started = o.clock.now();
  try {
    let queued = 0;
    for (const a of o.accounts) {
      const stored = o.store.storedDays(a.appid, o.from, o.to);
      const days = eachDay(o.from, o.to).filter((d) => stored.has(d));
      writer.outbox.requeue(target.url, a.appid, days, started);
      queued += days.length;
    }
    const pendingAtStart = writer.outbox.pending(target.url, scope).length;
    o.report(`remote write to ${label}: ${queued} stored account-days in the range, ${pendingAtStart} to push`);
    for (;;) {
      while (await worker?.pushNext(scope)) {
        /* one day per request, until none is due */
      }
      const first = writer.outbox.nextPending(target.url, scope);
      if (!first || o.clock.now() - started > (o.giveUpAfterMs ?? 600_000)) break;
      await new Promise((r) => setTimeout(r, Math.max(first.nextAttemptAt - o.clock.now(), 10)));
    }
    return summarize(writer, target.url, label, scope, o);
  } finally {
    await writer.stop();
  }
}

function summarize(writer: RemoteWriter, url: string, label: string, scope: DayRange & { appids: string[] }, o: PushRangeOptions): boolean {
  const inScope = (e: OutboxEntry): boolean => scope.appids.includes(e.appid) && e.refDate >= scope.from && e.refDate <= scope.to;
  const acked = writer.outbox.entries(url, 'acked').filter(inScope);
  const failed = writer.outbox.entries(url, 'failed').filter(inScope);
  const pending = writer.outbox.pending(url, scope);
  const samples = acked.reduce((n, e) => n + (e.samples ?? 0), 0);
  o.report(
    `remote write to ${label}: ${acked.length} account-days accepted (${samples} samples), ${failed.length} refused, ${pending.length} still pending`,
  );
  reportFailures(failed, new Map(o.accounts.map((a) => [a.appid, a.name])), o.report);
  if (failed.length > 0)
    o.report(
      '  fix the receiver (e.g. an out-of-order window long enough), then run the same command again: it pushes only the refused and pending days',
    );
  if (pending.length > 0) {
    const last = pending[0];
    o.report(
      `  the receiver did not accept ${pending.length} days in time (last answer: ${last?.lastStatus ?? '?'}: ${last?.lastError ?? ''}); run the same command again to resume`,
    );
  }
  return failed.length === 0 && pending.length === 0;
}

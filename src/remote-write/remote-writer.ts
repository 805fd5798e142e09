import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { RemoteWriteConfig } from '../config/remote-write.js';
import type { BeijingDate } from '../dates.js';
import type { Redactor } from '../redact.js';
import type { Store } from '../store/store.js';
import { RemoteWriteClient, urlLabel } from './client.js';
import { registerRemoteWriteMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import { DEFAULT_BACKOFF, type BackoffPolicy, type OutboxEntry } from './transition.js';
import { OutboxWorker } from './worker.js';

/** What the landing page shows per target. */
export interface RemoteWriteStatus {
  readonly url: string;
  readonly pending: number;
  readonly acked: number;
  readonly failed: readonly OutboxEntry[];
  /** The last error of a pending day still being retried. */
  readonly retrying?: OutboxEntry | undefined;
}

export interface RemoteWriterOptions {
  readonly targets: readonly RemoteWriteConfig[];
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly accounts: readonly { readonly name: string; readonly appid: string }[];
  /** `wechat-interface-exporter/VERSION`. */
  readonly userAgent: string;
  /** Registers the metrics there when given. */
  readonly registry?: Registry;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
}

/** Time a claimed day is kept from other workers beyond the request timeout. */
const LEASE_MARGIN_MS = 5_000;

/**
 * Remote write for a set of targets: a client and an outbox worker each. Every day the store
 * saves is queued for every target in the same transaction (so it cannot be forgotten), then
 * pushed by the target's worker.
 */
export class RemoteWriter {
  readonly outbox: Outbox;
  readonly workers: ReadonlyMap<string, OutboxWorker>;
  readonly #clients: RemoteWriteClient[];
  readonly #labels: ReadonlyMap<string, string>;
  readonly #unhook: () => void;

  constructor(o: RemoteWriterOptions) {
    this.outbox = new Outbox(o.store.database);
    const names = new Map(o.accounts.map((a) => [a.appid, a.name]));
    this.#clients = o.targets.map((t) => new RemoteWriteClient(t, { userAgent: o.userAgent, redactor: o.redactor }));
    this.#labels = new Map(o.targets.map((t) => [t.url, urlLabel(t.url)]));
    const metrics = o.registry
      ? registerRemoteWriteMetrics(
          o.registry,
          o.targets.map((t) => ({
            label: this.label(t.url),
            pending: () => this.outbox.count(t.url, 'pending'),
            failed: () => this.outbox.count(t.url, 'failed'),
          })),
        )
      : undefined;
    const workers = new Map<string, OutboxWorker>();
    o.targets.forEach((t, i) => {
      const label = this.label(t.url);
      workers.set(
        t.url,
        new OutboxWorker({
          client: this.#clients[i] as RemoteWriteClient,
          label,
          outbox: this.outbox,
          store: o.store,
          clock: o.clock,
          log: o.log,
          policy: o.backoff ?? DEFAULT_BACKOFF,
          accountName: (appid) => names.get(appid),
          leaseMs: t.timeout + LEASE_MARGIN_MS,
          events: metrics?.eventsFor(label),
        }),
      );
    });
    this.workers = workers;
    const urls = o.targets.map((t) => t.url);
    this.#unhook = o.store.onDaySaved((appid, refDate, at) => {
      this.outbox.enqueue(urls, appid, refDate, at);
      // After the transaction commits: the worker reads the day's rows.
      queueMicrotask(() => this.#wakeAll());
    });
  }

  label(url: string): string {
    return this.#labels.get(url) ?? urlLabel(url);
  }

  /** Queues stored days not yet in the outbox of any target (a target added to the config, a store from before remote write). */
  enqueueStored(appid: string, days: readonly BeijingDate[], at: number): void {
    for (const d of days) this.outbox.enqueue([...this.workers.keys()], appid, d, at);
  }

  #wakeAll(): void {
    for (const w of this.workers.values()) w.wake();
  }

  start(): void {
    for (const w of this.workers.values()) w.start();
  }

  status(): RemoteWriteStatus[] {
    return [...this.workers.keys()].map((url) => ({
      url: this.label(url),
      pending: this.outbox.count(url, 'pending'),
      acked: this.outbox.count(url, 'acked'),
      failed: this.outbox.entries(url, 'failed'),
      retrying: this.outbox.retrying(url),
    }));
  }

  async stop(): Promise<void> {
    this.#unhook();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await Promise.all(this.#clients.map((c) => c.close()));
  }
}

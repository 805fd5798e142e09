import { glob } from 'tinyglobby';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { DiscoveryConfig } from '../config/discovery-schema.js';
import type { ResolvedAccount } from '../config/load.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { NamedList } from './merge.js';
import { parseAccountList } from './parse.js';
import { displayUrl, fetchDiscoveryUrl, readDiscoveryFile } from './sources.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What `/` and the metrics show about one source. */
export interface SourceStatus {
  /** The metric label: `file:<path>` or `http:<url without query>`. */
  readonly source: string;
  /** The last good list (kept while the source fails). */
  accounts: readonly ResolvedAccount[];
  /** Entries of the last good read that were refused, one message each. */
  rejected: readonly string[];
  /** Why the last read failed; undefined when it worked. */
  error?: string | undefined;
  lastSuccessAt?: number | undefined;
  errors: number;
}

export interface DiscoveryOptions {
  readonly config: DiscoveryConfig;
  readonly env: Env;
  readonly clock: Clock;
  readonly log: Logger;
  /** Counts a failed read (`wechat_exporter_discovery_errors_total`). */
  readonly onError?: (source: string) => void;
}

function messageOf(err: unknown): string {
  return err instanceof ConfigError ? err.problems.join('; ') : errorMessage(err);
}

/**
 * The discovery sources and their last good lists. `refresh()` re-expands the globs and re-reads
 * every file and the URL; a source that fails keeps what it had (a file that no longer matches
 * the globs is gone on purpose, and so are its accounts).
 */
export class Discovery {
  readonly #o: DiscoveryOptions;
  readonly #sources = new Map<string, SourceStatus>();

  constructor(options: DiscoveryOptions) {
    this.#o = options;
  }

  get config(): DiscoveryConfig {
    return this.#o.config;
  }

  /** Files in path order, then the URL: the order in which duplicates are decided. */
  lists(): NamedList[] {
    return this.status().map((s) => ({ source: s.source, accounts: s.accounts }));
  }

  status(): SourceStatus[] {
    return [...this.#sources.values()].sort((a, b) => order(a.source) - order(b.source) || a.source.localeCompare(b.source));
  }

  /** Reads every source once. Never rejects. */
  async refresh(): Promise<void> {
    const { config } = this.#o;
    const files = config.files.length ? await this.#expand(config.files) : [];
    for (const source of this.#sources.keys()) {
      if (source.startsWith('file:') && !files.includes(source.slice(5))) this.#sources.delete(source);
    }
    await Promise.all(files.map((path) => this.#read(`file:${path}`, () => readDiscoveryFile(path))));
    const http = config.http;
    if (http) {
      await this.#read(`http:${displayUrl(http.url)}`, () =>
        fetchDiscoveryUrl({ url: http.url, bearerTokenFile: http.bearerTokenFile, timeoutMs: http.timeout }),
      );
    }
  }

  async #expand(patterns: readonly string[]): Promise<string[]> {
    try {
      return (await glob([...patterns], { absolute: true, onlyFiles: true, expandDirectories: false })).sort();
    } catch (err) {
      this.#o.log.warn('discovery: cannot expand the file globs', { error: messageOf(err) });
      return [...this.#sources.keys()].filter((s) => s.startsWith('file:')).map((s) => s.slice(5));
    }
  }

  async #read(source: string, load: () => Promise<unknown>): Promise<void> {
    const { env, clock, log } = this.#o;
    const status = this.#sources.get(source) ?? { source, accounts: [], rejected: [], errors: 0 };
    this.#sources.set(source, status);
    try {
      const list = parseAccountList(await load(), source, env);
      const changed = JSON.stringify(list.rejected) !== JSON.stringify(status.rejected);
      if (changed) for (const r of list.rejected) log.warn(`discovery: ${r}`);
      for (const w of list.warnings) log.warn(`discovery: ${w}`);
      status.accounts = list.accounts;
      status.rejected = list.rejected;
      status.error = undefined;
      status.lastSuccessAt = clock.now();
    } catch (err) {
      status.errors++;
      this.#o.onError?.(source);
      status.error = messageOf(err);
      log.warn('discovery: source failed; keeping its last good list', {
        source,
        accounts: status.accounts.length,
        error: status.error,
      });
    }
  }
}

function order(source: string): number {
  return source.startsWith('file:') ? 0 : 1;
}

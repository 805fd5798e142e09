import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AccountState } from '../../poll/account-state.js';
import { AccountPieces } from './account-pieces.js';
import type { AccountFamily } from './families.js';
import { gzipPiece, gzipPieceSync, type GzipPiece } from './gzip-member.js';
import { familyHeader, formatLabels } from './text-format.js';

/** A family with fixed samples (build and shard info): rendered once. */
export interface StaticFamily {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

/** The prepared families: each block is `# HELP`, `# TYPE` and its lines, without a final newline. */
export interface PreparedFamilies {
  readonly blocks: readonly Buffer[];
  readonly gzip: readonly GzipPiece[];
  readonly byteLength: number;
}

export interface PreparedExpositionOptions {
  readonly accounts: () => readonly AccountState[];
  readonly families: readonly AccountFamily[];
  /** Rendered after the account families. */
  readonly statics: readonly StaticFamily[];
  /** Accounts rendered between two yields to the event loop. @default 64 */
  readonly chunk?: number;
  /**
   * How long `current()` trusts that no account changed unless told so by `changed()`; after
   * that it looks at every account again (changes nobody announced). @default 1000
   */
  readonly verifyMs?: number;
}

/** What of a state the gauges show, as it was when rendered. */
interface Seen {
  readonly name: string;
  readonly appid: string;
  readonly reference: AccountState['reference'];
  readonly up: boolean | undefined;
  readonly lastError: AccountState['lastError'];
  readonly lastSuccessAt: number | undefined;
  readonly pending: number;
}

interface Entry {
  readonly state: AccountState;
  readonly seen: Seen;
  readonly pieces: AccountPieces;
}

/** A poll replaces `reference` and `lastError` rather than mutate them, so identity tells a change. */
function signature(a: AccountState): Seen {
  return {
    name: a.name,
    appid: a.appid,
    reference: a.reference,
    up: a.up,
    lastError: a.lastError,
    lastSuccessAt: a.lastSuccessAt,
    pending: a.pendingDays.length,
  };
}

function unchanged(e: Entry | undefined, a: AccountState): boolean {
  if (e === undefined || e.state !== a) return false;
  const s = e.seen;
  return (
    s.reference === a.reference &&
    s.up === a.up &&
    s.lastError === a.lastError &&
    s.lastSuccessAt === a.lastSuccessAt &&
    s.pending === a.pendingDays.length &&
    s.name === a.name &&
    s.appid === a.appid
  );
}

/**
 * The per-account gauges of `/metrics`, prepared when an account's state changes rather than at
 * each scrape: the data changes about once a day, scrapes come every few seconds from each
 * Prometheus. Each account is rendered on its own (AccountPieces); the family blocks, holding
 * every account's lines under one HELP/TYPE, are assembled from those pieces and gzipped once,
 * and served until a state changes. Work is cut into chunks separated by yields (and gzip runs on
 * the thread pool), so that health checks and other scrapes are answered meanwhile.
 */
export class PreparedExposition {
  readonly #o: PreparedExpositionOptions;
  readonly #headers: readonly Buffer[];
  readonly #statics: readonly Buffer[];
  readonly #staticsGzip: readonly GzipPiece[];
  /** By appid: a reload may give an account a new state object with the same figures. */
  #entries = new Map<string, Entry>();
  #order: readonly string[] = [];
  /** The entries in account order, for the check every scrape makes. */
  #ordered: readonly Entry[] = [];
  #prepared: PreparedFamilies | undefined;
  #building: Promise<PreparedFamilies> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A change was announced (changed()) since the last look at the accounts began. */
  #dirty = true;
  /** When the accounts were last found unchanged or prepared (performance.now()). */
  #verifiedAt = -Infinity;

  constructor(options: PreparedExpositionOptions) {
    this.#o = options;
    this.#headers = options.families.map((f) => Buffer.from(familyHeader(f.name, f.help)));
    this.#statics = options.statics.map((s) => {
      const labels = s.labels.length > 0 ? `{${formatLabels(s.labels)}}` : '';
      return Buffer.from(`${familyHeader(s.name, s.help)}\n${s.name}${labels} ${s.value}`);
    });
    this.#staticsGzip = this.#statics.map(gzipPieceSync);
  }

  /** True when no account was added, removed, reordered or changed since the last preparation. */
  get fresh(): boolean {
    const accounts = this.#o.accounts();
    const ordered = this.#ordered;
    if (this.#prepared === undefined || accounts.length !== ordered.length) return false;
    for (let i = 0; i < accounts.length; i++) if (!unchanged(ordered[i], accounts[i] as AccountState)) return false;
    return true;
  }

  /**
   * The prepared families, prepared again first if some account changed. A preparation already
   * under way may have started before the change, so it is awaited, then at most one more runs:
   * while polls keep changing accounts, a scrape waits for two preparations at most.
   */
  async families(): Promise<PreparedFamilies> {
    // Cleared before looking: a change announced while this looks or prepares marks it again.
    this.#dirty = false;
    const at = performance.now();
    if (!this.fresh) {
      if (this.#building) await this.#building;
      if (!this.fresh) await this.#start();
    }
    this.#verifiedAt = at;
    return this.#prepared as PreparedFamilies;
  }

  /**
   * What a scrape serves: the prepared families, without looking at every account while no
   * change was announced and the last look is recent (at thousands of accounts that look was a
   * good part of a scrape's cost); else as families().
   */
  current(): Promise<PreparedFamilies> {
    const prepared = this.#prepared;
    if (prepared !== undefined && !this.#dirty && performance.now() - this.#verifiedAt < (this.#o.verifyMs ?? 1000))
      return Promise.resolve(prepared);
    return this.families();
  }

  /** Some account's state changed (a poll ended): the next scrape looks, and a preparation is scheduled. */
  changed(delayMs?: number): void {
    this.#dirty = true;
    this.schedule(delayMs);
  }

  /**
   * Prepares soon, off the scrape path (after a poll changed an account). Changes within
   * `delayMs` of each other are prepared together.
   */
  schedule(delayMs = 1000): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // A failure here is a bug; the next scrape prepares again and reports it as a 500.
      this.families().catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }

  #start(): Promise<PreparedFamilies> {
    this.#building ??= this.#build().finally(() => (this.#building = undefined));
    return this.#building;
  }

  /** The account's entry: the previous one if unchanged; else rendered again, marking the families whose lines differ. */
  #entry(a: AccountState, dirty: Set<number>): Entry {
    const old = this.#entries.get(a.appid);
    if (old !== undefined && unchanged(old, a)) return old;
    const pieces = new AccountPieces(a, this.#o.families);
    pieces.families.forEach((lines, f) => {
      const before = old?.pieces.families[f];
      if (before !== undefined && before.equals(lines)) pieces.families[f] = before;
      else dirty.add(f);
    });
    return { state: a, seen: signature(a), pieces };
  }

  async #build(): Promise<PreparedFamilies> {
    const accounts = [...this.#o.accounts()];
    const previous = this.#prepared;
    const sameOrder =
      previous !== undefined && accounts.length === this.#order.length && accounts.every((a, i) => a.appid === this.#order[i]);
    const dirty = new Set<number>(sameOrder ? [] : this.#headers.keys());
    const entries = new Map<string, Entry>();
    const chunk = this.#o.chunk ?? 64;
    for (let i = 0; i < accounts.length; i++) {
      const a = accounts[i] as AccountState;
      entries.set(a.appid, this.#entry(a, dirty));
      if ((i + 1) % chunk === 0) await yieldToLoop();
    }
    const blocks = previous ? [...previous.blocks] : [];
    const gzip = previous ? [...previous.gzip] : [];
    const pieces = accounts.map((a) => (entries.get(a.appid) as Entry).pieces);
    for (const f of [...dirty].sort((x, y) => x - y)) {
      blocks[f] = assemble(this.#headers[f] as Buffer, pieces, f);
      await yieldToLoop();
    }
    await Promise.all([...dirty].map(async (f) => (gzip[f] = await gzipPiece(blocks[f] as Buffer))));
    const n = this.#headers.length;
    blocks.splice(n, blocks.length, ...this.#statics);
    gzip.splice(n, gzip.length, ...this.#staticsGzip);
    const prepared = { blocks, gzip, byteLength: blocks.reduce((sum, b) => sum + b.length, 0) };
    // Published only once complete: a scrape meanwhile is served the previous preparation's bytes
    // only if it started before the change; later ones wait for this one.
    this.#entries = entries;
    this.#order = accounts.map((a) => a.appid);
    this.#ordered = accounts.map((a) => entries.get(a.appid) as Entry);
    this.#prepared = prepared;
    return prepared;
  }
}

/**
 * A family block: its header and every account's lines. The accounts' pieces then point into the
 * block, so that the text is held once, not twice.
 */
function assemble(header: Buffer, pieces: readonly AccountPieces[], f: number): Buffer {
  const block = Buffer.concat([header, ...pieces.map((p) => p.families[f] as Buffer)]);
  let offset = header.length;
  for (const p of pieces) {
    const length = (p.families[f] as Buffer).length;
    p.families[f] = block.subarray(offset, offset + length);
    offset += length;
  }
  return block;
}

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AccountState } from '../../poll/account-state.js';
import { signature, unchanged, type Entry } from './account-seen.js';
import { FamilyBlock, accountLabels, accountLines } from './family-block.js';
import type { AccountFamily } from './families.js';
import { gzipPiece, gzipPieceSync, type GzipPiece } from './gzip-member.js';
import { familyHeader, formatLabels } from './text-format.js';

/** A family of one sample (build and shard info, the reload state). */
export interface StaticFamily {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

function renderStatic(s: StaticFamily): Buffer {
  const labels = s.labels.length > 0 ? `{${formatLabels(s.labels)}}` : '';
  return Buffer.from(`${familyHeader(s.name, s.help)}\n${s.name}${labels} ${s.value}`);
}

/** The prepared families: each block is `# HELP`, `# TYPE` and its lines, without a final newline. */
export interface PreparedFamilies {
  readonly blocks: readonly Buffer[];
  readonly gzip: readonly GzipPiece[];
}

export interface PreparedExpositionOptions {
  readonly accounts: () => readonly AccountState[];
  readonly families: readonly AccountFamily[];
  /** Rendered after the account families, once. */
  readonly statics: readonly StaticFamily[];
  /**
   * Exporter-wide families that must change in the same scrape as the account list (a reload's
   * outcome): read in the same turn of the event loop as the accounts and published with them, so
   * a scrape never shows a reload's accounts with the state before it. Rendered between the
   * account families and the statics. Returns the same array until they change (compared by
   * identity); announce a change with changed(). @default none
   */
  readonly state?: () => readonly StaticFamily[];
  /** Accounts rendered between two yields to the event loop. @default 64 */
  readonly chunk?: number;
  /**
   * After a change is announced, how long `schedule()` waits for the changes to stop (a poll of
   * many accounts announces one per account) before it prepares, and the longest it waits.
   * @default { quietMs: 1000, maxMs: 10000 }
   */
  readonly debounce?: { readonly quietMs: number; readonly maxMs: number };
  /**
   * How long `current()` trusts that no account changed unless told so by `changed()`; after
   * that it looks at every account again (changes nobody announced). @default 1000
   */
  readonly verifyMs?: number;
}

/**
 * The per-account gauges of `/metrics`, prepared when an account's state changes rather than at
 * each scrape: the data changes about once a day, scrapes come every few seconds from each
 * Prometheus. A family block holds every account's lines under one HELP/TYPE (FamilyBlock); a
 * preparation renders only the accounts that changed, copies the others' lines from the previous
 * block, rewrites only the families whose lines differ, and gzips those once. The blocks are
 * served until a state changes. Rendering yields every `chunk` accounts (and gzip runs on the
 * thread pool), so that health checks and other scrapes are answered meanwhile.
 */
export class PreparedExposition {
  readonly #o: PreparedExpositionOptions;
  readonly #headers: readonly Buffer[];
  readonly #statics: readonly Buffer[];
  readonly #staticsGzip: readonly GzipPiece[];
  /** The accounts as prepared, in the order of the blocks' lines (and of the check every scrape makes). */
  #ordered: readonly Entry[] = [];
  #blocks: readonly FamilyBlock[] = [];
  /** The state families as prepared (options.state). */
  #state: readonly StaticFamily[] | undefined;
  #prepared: PreparedFamilies | undefined;
  #building: Promise<PreparedFamilies> | undefined;
  #timer: { handle: NodeJS.Timeout; due: number } | undefined;
  /** A change was announced (changed()) since the last look at the accounts began. */
  #dirty = true;
  /** When the accounts were last found unchanged or prepared (performance.now()). */
  #verifiedAt = -Infinity;

  constructor(options: PreparedExpositionOptions) {
    this.#o = options;
    this.#headers = options.families.map((f) => Buffer.from(familyHeader(f.name, f.help)));
    this.#statics = options.statics.map(renderStatic);
    this.#staticsGzip = this.#statics.map(gzipPieceSync);
  }

  /** True when no account was added, removed, reordered or changed, nor the state, since the last preparation. */
  get fresh(): boolean {
    const accounts = this.#o.accounts();
    const ordered = this.#ordered;
    if (this.#prepared === undefined || accounts.length !== ordered.length || this.#o.state?.() !== this.#state) return false;
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
   * good part of a scrape's cost); else as families(). Never while a preparation is under way:
   * the scrape that started it cleared the announcement, and the others must wait for it too,
   * not be served the bytes from before the change.
   */
  current(): Promise<PreparedFamilies> {
    const prepared = this.#prepared;
    const trusted = !this.#dirty && this.#building === undefined;
    if (prepared !== undefined && trusted && performance.now() - this.#verifiedAt < (this.#o.verifyMs ?? 1000))
      return Promise.resolve(prepared);
    return this.families();
  }

  /** Some account's state changed (a poll ended): the next scrape looks, and a preparation is scheduled. */
  changed(delayMs?: number): void {
    this.#dirty = true;
    this.schedule(delayMs);
  }

  /**
   * Prepares soon, off the scrape path (after a poll changed an account): once no change came
   * for `debounce.quietMs`, and at most `debounce.maxMs` after the first, so that the changes of
   * a poll of many accounts are prepared together rather than once a second while it runs (each
   * preparation at a thousand accounts writes some 13 MiB). A scrape meanwhile prepares itself.
   * `schedule(0)` prepares at the next turn of the event loop.
   */
  schedule(delayMs?: number): void {
    const { quietMs, maxMs } = this.#o.debounce ?? { quietMs: 1000, maxMs: 10_000 };
    const now = performance.now();
    const due = this.#timer?.due ?? now + (delayMs ?? maxMs);
    const wait = Math.max(0, Math.min(due, now + (delayMs ?? quietMs)) - now);
    if (this.#timer !== undefined) clearTimeout(this.#timer.handle);
    const handle = setTimeout(() => {
      this.#timer = undefined;
      // A failure here is a bug; the next scrape prepares again and reports it as a 500.
      this.families().catch(() => undefined);
    }, wait);
    handle.unref();
    this.#timer = { handle, due };
  }

  #start(): Promise<PreparedFamilies> {
    this.#building ??= this.#build().finally(() => (this.#building = undefined));
    return this.#building;
  }

  async #build(): Promise<PreparedFamilies> {
    // The accounts and the state, read together (nothing can change them in between).
    const accounts = [...this.#o.accounts()];
    const state = this.#o.state?.();
    const stateBlocks = (state ?? []).map(renderStatic);
    const before = this.#ordered;
    const sameOrder = accounts.length === before.length && accounts.every((a, i) => a.appid === before[i]?.seen.appid);
    // By appid: a reload may give an account a new state object, rendered again, at the same place.
    const position = new Map(before.map((e, i) => [e.seen.appid, i]));
    // Per account: its position in the previous blocks when its lines can be copied from there; -1 to render.
    const from = new Int32Array(accounts.length).fill(-1);
    const labels: (string | undefined)[] = [];
    const entries = accounts.map((a, i): Entry => {
      const at = position.get(a.appid);
      const old = at === undefined ? undefined : before[at];
      if (at !== undefined && old !== undefined && unchanged(old, a)) {
        from[i] = at;
        return old;
      }
      labels[i] = accountLabels(a);
      return { state: a, seen: signature(a) };
    });
    const chunk = this.#o.chunk ?? 64;
    const blocks: FamilyBlock[] = [];
    const gzip: Promise<GzipPiece>[] = [];
    // Family by family, so that no more than one family's new lines are held at a time.
    for (const [f, family] of this.#o.families.entries()) {
      const old = this.#blocks[f];
      const texts: (string | undefined)[] = new Array<string | undefined>(accounts.length);
      let differs = !sameOrder || old === undefined;
      let rendered = 0;
      for (let i = 0; i < accounts.length; i++) {
        const l = labels[i];
        if (l === undefined) continue;
        const text = accountLines(accounts[i] as AccountState, family, l);
        texts[i] = text;
        // In the same order, a changed account's lines may still be the same in this family (a
        // failure changes account_up, not the figures): then the block and its gzip are kept.
        if (!differs) differs = (old as FamilyBlock).lines(i) !== text;
        if (++rendered % chunk === 0) await yieldToLoop();
      }
      const oldGzip = this.#prepared?.gzip[f];
      if (!differs && old !== undefined && oldGzip !== undefined) {
        blocks.push(old);
        gzip.push(Promise.resolve(oldGzip));
      } else {
        const block = FamilyBlock.write(this.#headers[f] as Buffer, texts, old && { block: old, from });
        blocks.push(block);
        gzip.push(gzipPiece(block.bytes));
        await yieldToLoop();
      }
    }
    const prepared: PreparedFamilies = {
      blocks: [...blocks.map((b) => b.bytes), ...stateBlocks, ...this.#statics],
      gzip: [...(await Promise.all(gzip)), ...stateBlocks.map(gzipPieceSync), ...this.#staticsGzip],
    };
    // Published only once complete: a scrape meanwhile is served the previous preparation's bytes
    // only if it started before the change; later ones wait for this one.
    this.#ordered = entries;
    this.#state = state;
    this.#blocks = blocks;
    this.#prepared = prepared;
    return prepared;
  }
}

import type { AccountState } from '../../poll/account-state.js';
import type { AccountFamily } from './families.js';
import { escapeLabelValue, formatValue } from './text-format.js';

/** `appid="…",account="…"`: the labels each of an account's lines starts with. */
export function accountLabels(a: AccountState): string {
  return `appid="${escapeLabelValue(a.appid)}",account="${escapeLabelValue(a.name)}"`;
}

/** An account's lines of one family, each preceded by `\n` as a family block holds them ('' when it has none). */
export function accountLines(a: AccountState, family: AccountFamily, labels = accountLabels(a)): string {
  const withAccount = `\n${family.name}{${labels}`;
  let lines = '';
  for (const s of family.samples(a)) lines += `${withAccount}${s.labels ? `,${s.labels}` : ''}} ${formatValue(s.value)}`;
  return lines;
}

/**
 * A family block as a scrape writes it: `# HELP`, `# TYPE`, then every account's lines in account
 * order, in one Buffer; and where each account's lines lie in it, so that the next block can copy
 * the accounts that did not change instead of rendering them again. The text is held once, in
 * the block: no per-account Buffer outlives a preparation (at a thousand accounts, those small
 * Buffers, freed by the thousand, left the allocator's heap fragmented and the RSS high).
 */
export class FamilyBlock {
  /** Account i's lines are bytes[offsets[i]] up to bytes[offsets[i + 1]]. */
  private constructor(
    readonly bytes: Buffer,
    private readonly offsets: Uint32Array,
  ) {}

  /** The lines of the account at position `i`, as text. */
  lines(i: number): string {
    return this.bytes.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }

  /**
   * The block of `header` and, for each account i, its lines: `texts[i]` when rendered anew, else
   * copied from position `copy.from[i]` of `copy.block`. One allocation of the exact size.
   */
  static write(
    header: Buffer,
    texts: readonly (string | undefined)[],
    copy?: { readonly block: FamilyBlock; readonly from: Int32Array },
  ): FamilyBlock {
    const span = (i: number): [Buffer, number, number] => {
      if (copy === undefined) throw new Error(`account ${i} was not rendered and there is no block to copy it from`);
      const { block, from } = copy;
      const j = from[i] as number;
      return [block.bytes, block.offsets[j] as number, block.offsets[j + 1] as number];
    };
    let total = header.length;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      if (text !== undefined) total += Buffer.byteLength(text);
      else {
        const [, start, end] = span(i);
        total += end - start;
      }
    }
    const bytes = Buffer.allocUnsafeSlow(total);
    const offsets = new Uint32Array(texts.length + 1);
    let at = header.copy(bytes, 0);
    for (let i = 0; i < texts.length; i++) {
      offsets[i] = at;
      const text = texts[i];
      if (text !== undefined) at += bytes.write(text, at);
      else {
        const [source, start, end] = span(i);
        at += source.copy(bytes, at, start, end);
      }
    }
    offsets[texts.length] = at;
    return new FamilyBlock(bytes, offsets);
  }
}

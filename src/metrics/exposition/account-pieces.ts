import type { AccountState } from '../../poll/account-state.js';
import type { AccountFamily } from './families.js';
import { escapeLabelValue, formatValue } from './text-format.js';

/**
 * One account's samples of every family, rendered once when its state changes: per family, its
 * lines, each preceded by `\n` as a family block wants them (empty when it has none). A scrape
 * copies bytes; it never formats a number.
 */
export class AccountPieces {
  /** By family position. After assembly, views into the family blocks (no second copy). */
  readonly families: Buffer[];

  constructor(state: AccountState, families: readonly AccountFamily[]) {
    const account = `appid="${escapeLabelValue(state.appid)}",account="${escapeLabelValue(state.name)}"`;
    const texts = families.map((family) => {
      let lines = '';
      const withAccount = `\n${family.name}{${account}`;
      for (const s of family.samples(state)) lines += `${withAccount}${s.labels ? `,${s.labels}` : ''}} ${formatValue(s.value)}`;
      return lines;
    });
    // One Buffer for the account, cut into its families: one copy instead of one per family.
    const all = Buffer.from(texts.join(''));
    const ascii = all.length === texts.reduce((n, t) => n + t.length, 0);
    let offset = 0;
    this.families = texts.map((t) => {
      if (!ascii) return Buffer.from(t);
      offset += t.length;
      return all.subarray(offset - t.length, offset);
    });
  }

  get byteLength(): number {
    return this.families.reduce((n, b) => n + b.length, 0);
  }
}

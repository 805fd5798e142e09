import { formatIssues, resolveAccountSecret, type ResolvedAccount } from '../config/load.js';
import { accountSchema } from '../config/schema.js';
import { ConfigError } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What one read of a discovery source produced: its good entries, and why each other one was refused. */
export interface SourceList {
  readonly accounts: readonly ResolvedAccount[];
  /** One line per refused entry, naming the source and the entry. */
  readonly rejected: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * A discovered document (a YAML or JSON list of accounts, shaped like `accounts:`). A document
 * that is not a list fails the whole read (the source keeps its last good list); a bad entry is
 * refused alone, with its position and field path, while the others are used.
 */
export function parseAccountList(raw: unknown, source: string, env: Env): SourceList {
  if (!Array.isArray(raw)) {
    throw new ConfigError([`${source}: expected a list of accounts, got ${raw === null ? 'null' : typeof raw}`]);
  }
  const accounts: ResolvedAccount[] = [];
  const rejected: string[] = [];
  const warnings: string[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `${source}: [${i}]`;
    const parsed = accountSchema.safeParse(entry, { reportInput: true });
    if (!parsed.success) {
      rejected.push(`${at} ${entryName(entry)}refused: ${formatIssues(parsed.error.issues).join('; ')}`);
      return;
    }
    // Field paths relative to the entry (`secretFile: cannot read …`), after its position.
    const resolved = resolveAccountSecret(parsed.data, '', env);
    const relative = (lines: string[]) => lines.map((l) => l.replace(/^\./, ''));
    warnings.push(...relative(resolved.warnings).map((w) => `${at} ${w}`));
    if (resolved.problems.length) rejected.push(`${at} ${entryName(entry)}refused: ${relative(resolved.problems).join('; ')}`);
    else accounts.push(resolved.account);
  });
  return { accounts, rejected, warnings };
}

/** `(name "shop") ` when the entry has a readable name, for messages. */
function entryName(entry: unknown): string {
  const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['name'] : undefined;
  return typeof name === 'string' && name.length <= 64 ? `(name ${JSON.stringify(name)}) ` : '';
}

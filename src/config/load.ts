import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { remoteWriteFileProblems } from './remote-write.js';
import { configSchema, type AccountConfig, type Config } from './schema.js';

/** An account with its appsecret read from where the config points. */
export type ResolvedAccount = AccountConfig & {
  /** Undefined for tokenSource file and url, which need none. */
  readonly appsecret: string | undefined;
};

export interface ResolvedConfig extends Omit<Config, 'accounts'> {
  readonly accounts: readonly ResolvedAccount[];
  /** Things that work but should be changed (e.g. an inline secret). */
  readonly warnings: readonly string[];
  /** Where the config came from, for messages. */
  readonly source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `accounts[1].tokenSource` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * The name of `accounts[i]` in the raw document, for label problems (`accounts[2] (main).labels.job`):
 * with hundreds of accounts, an owner label is fixed by the account's name, not its position.
 */
function accountNamer(raw: unknown): (path: readonly PropertyKey[]) => readonly PropertyKey[] {
  return (path) => {
    const [top, i, field] = path;
    if (top !== 'accounts' || typeof i !== 'number' || field !== 'labels') return path;
    const entry: unknown = (raw as { accounts?: unknown } | null | undefined)?.accounts;
    const name = Array.isArray(entry) ? (entry[i] as { name?: unknown } | null | undefined)?.name : undefined;
    return typeof name === 'string' && name.length <= 64 ? [top, i, ` (${name})`, ...path.slice(2)] : path;
  };
}

/** Zod's issues as `field.path: what is wrong`, one line each, never quoting a secret. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  rename: (path: readonly PropertyKey[]) => readonly PropertyKey[] = (p) => p,
): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    // The account name goes after its index: `accounts[2] (main)`, not `accounts[2]. (main)`.
    const at = formatPath(rename(issue.path)).replace(/\. \(/, ' (');
    const prefix = at ? `${at}: ` : '';
    switch (issue.code) {
      case 'invalid_key':
        // A record's key (a label name): its own messages.
        out.push(`${prefix}${issue.issues.map((i) => i.message).join('; ')}`);
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push(`${at ? `${at}.` : ''}${key}: unknown field`);
        break;
      case 'invalid_value':
        out.push(`${prefix}expected one of ${issue.values.map(String).join(', ')}`);
        break;
      case 'invalid_type':
        out.push(
          `${prefix}${issue.input === undefined ? 'required' : `expected ${issue.expected}, got ${Array.isArray(issue.input) ? 'array' : issue.input === null ? 'null' : typeof issue.input}`}`,
        );
        break;
      default:
        out.push(`${prefix}${issue.message}`);
    }
  }
  return out;
}

/** Validates a parsed config document; every problem is listed with its field path. */
export function validateConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, accountNamer(raw)));
  return result.data;
}

type ReadText = (path: string) => string;
const readText: ReadText = (p) => readFileSync(p, 'utf8');

/**
 * One account's appsecret from `secretEnv`, `secretFile` or `secret`; problems and warnings are
 * prefixed with `at` (`accounts[2]`, or a discovery source and entry).
 */
export function resolveAccountSecret(
  a: AccountConfig,
  at: string,
  env: Env,
  readFile: ReadText = readText,
): { account: ResolvedAccount; problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  let appsecret: string | undefined;
  if (a.secretEnv !== undefined) {
    appsecret = env[a.secretEnv]?.trim();
    if (!appsecret) problems.push(`${at}.secretEnv: environment variable ${a.secretEnv} is not set or empty`);
  } else if (a.secretFile !== undefined) {
    try {
      appsecret = readFile(a.secretFile).trim();
      if (!appsecret) problems.push(`${at}.secretFile: ${a.secretFile} is empty`);
    } catch (err) {
      problems.push(`${at}.secretFile: cannot read ${a.secretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (a.secret !== undefined) {
    appsecret = a.secret;
    warnings.push(`${at}.secret: the appsecret is written in the config file; prefer secretEnv or secretFile`);
  }
  return { account: { ...a, appsecret }, problems, warnings };
}

/** Reads each account's appsecret from `secretEnv`, `secretFile` or `secret`. */
export function resolveSecrets(
  config: Config,
  env: Env,
  readFile: ReadText = readText,
): { accounts: ResolvedAccount[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const accounts = config.accounts.map((a, i): ResolvedAccount => {
    const resolved = resolveAccountSecret(a, `accounts[${i}]`, env, readFile);
    problems.push(...resolved.problems);
    warnings.push(...resolved.warnings);
    return resolved.account;
  });
  if (problems.length) throw new ConfigError(problems);
  return { accounts, warnings };
}

/** A config document validated, with its secrets read: what the exporter runs on. */
export function resolveConfig(raw: unknown, env: Env, source: string): ResolvedConfig {
  const config = validateConfig(raw);
  const { accounts, warnings } = resolveSecrets(config, env);
  const fileProblems = remoteWriteFileProblems(config.remoteWrite);
  if (fileProblems.length) throw new ConfigError(fileProblems);
  return { ...config, accounts, warnings, source };
}

/** A config uses a few anchors at most; yaml's own default (100) is kept, written here so the message can quote it. */
const MAX_ALIAS_COUNT = 100;

/** Parses YAML text; syntax errors name the line, an alias bomb is refused. */
export function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => `${source}: ${(e.message.split('\n')[0] ?? '').replace(/:$/, '')}`));
  }
  try {
    // yaml counts alias expansions and throws a ReferenceError past the cap: a "billion laughs"
    // document would otherwise grow to gigabytes in memory.
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    throw new ConfigError([
      `${source}: too many alias expansions (more than ${MAX_ALIAS_COUNT}); a config never needs that many, refusing it`,
    ]);
  }
}

/**
 * The configuration, from `--config.file` (or WECHAT_EXPORTER_CONFIG), or for a single account
 * from WECHAT_APPID + WECHAT_APPSECRET (+ WECHAT_ACCOUNT_NAME). Validated once, whole.
 */
export function loadConfig(options: { file?: string | undefined; env: Env }): ResolvedConfig {
  const { env } = options;
  const file = options.file ?? env['WECHAT_EXPORTER_CONFIG'];
  let raw: unknown;
  let source: string;
  if (file) {
    source = file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`config file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    raw = parseYaml(text, file);
  } else if (env['WECHAT_APPID'] !== undefined) {
    source = 'environment (WECHAT_APPID)';
    raw = { accounts: [{ name: env['WECHAT_ACCOUNT_NAME'] || 'default', appid: env['WECHAT_APPID'], secretEnv: 'WECHAT_APPSECRET' }] };
  } else {
    throw new ConfigError([
      'no accounts configured: pass --config.file (or WECHAT_EXPORTER_CONFIG), or set WECHAT_APPID and WECHAT_APPSECRET',
    ]);
  }
  return resolveConfig(raw, env, source);
}

import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { eachDay, formatDays, type BeijingDate } from '../dates.js';
import { UsageError, ExporterError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { AccountApi } from '../wechat/account-api.js';
import { fetchMissing } from './fetch.js';
import { readHistory } from '../store/history.js';
import type { HistoryInput } from '../store/history-series.js';
import { renderHistory } from './openmetrics.js';
import type { BackfillPlan } from './request.js';

export interface BackfillDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  /** The account's API client (with its token cache and quota guard). */
  readonly apiFor: (appid: string) => AccountApi;
  /** Progress and the final report, one line per call (standard error). */
  readonly report: (line: string) => void;
  /** Where `--output -` goes. */
  readonly stdout: (text: string) => void;
  /** Masks secrets in error messages. @default identity */
  readonly redact?: (text: string) => string;
  /** `--remote-write`: pushes the stored days of the range; resolves whether all were accepted. */
  readonly pushRange?: (plan: BackfillPlan) => Promise<boolean>;
}

export interface AccountOutcome {
  readonly name: string;
  readonly appid: string;
  /** Stored days written to the output. */
  readonly written: number;
  /** Days of the range not written. */
  readonly missing: readonly BeijingDate[];
  readonly error?: string | undefined;
}

export interface BackfillResult {
  /** 0: every requested day written; 1: some day of some account could not be. */
  readonly exitCode: 0 | 1;
  readonly accounts: readonly AccountOutcome[];
  /** Sample lines in the output. */
  readonly samples: number;
}

/** Refuses, before any API call, an output that cannot be written. */
export function assertWritableOutput(output: string): void {
  if (output === '-') return;
  const path = resolve(output);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`--output: ${output} is a directory; give a file name`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    throw new UsageError(`--output: cannot write into ${dirname(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Writes the file whole or not at all: a half-written file would import as a silent gap. */
function writeOutput(output: string, text: string, stdout: (text: string) => void): void {
  if (output === '-') {
    stdout(text);
    return;
  }
  const partial = `${output}.partial`;
  try {
    writeFileSync(partial, text);
    renameSync(partial, output);
  } catch (err) {
    throw new ExporterError('output_unwritable', `--output ${output}: ${(err as Error).message}`, { cause: err });
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * The backfill: for each account, fetch the days of the range the store lacks, then write every
 * stored day of the range as OpenMetrics with timestamps. Days still missing are reported, and
 * make the exit code 1, but never stop the others from being written.
 */
export async function runBackfill(plan: BackfillPlan, deps: BackfillDeps): Promise<BackfillResult> {
  const { store, clock, log, report } = deps;
  const redact = deps.redact ?? ((s: string) => s);
  const total = eachDay(plan.from, plan.to).length;
  const fetched = new Map<string, { error?: string | undefined; notReady: readonly BeijingDate[] }>();
  for (const account of plan.accounts) {
    const stored = store.storedDays(account.appid, plan.from, plan.to).size;
    report(`${account.name} (${account.appid}): ${plan.from}..${plan.to}: ${total} days, ${stored} stored, ${total - stored} to fetch`);
    if (stored === total) continue;
    const api = deps.apiFor(account.appid);
    const outcome = await fetchMissing({
      account,
      api,
      store,
      clock,
      log: log.child({ account: account.name, appid: account.appid }),
      from: plan.from,
      to: plan.to,
      progress: report,
      redact,
    });
    fetched.set(account.appid, outcome);
  }

  const inputs: HistoryInput[] = [];
  const outcomes: AccountOutcome[] = [];
  for (const account of plan.accounts) {
    const history = readHistory(store, account.appid, plan.from, plan.to);
    inputs.push({ name: account.name, appid: account.appid, days: history.days });
    outcomes.push({ ...account, written: history.days.length, missing: history.missing, error: fetched.get(account.appid)?.error });
  }
  let samples = 0;
  if (plan.output !== undefined) {
    const text = renderHistory(inputs);
    writeOutput(plan.output, text, deps.stdout);
    samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    report(
      `wrote ${samples} samples for ${outcomes.reduce((n, o) => n + o.written, 0)} account-days to ${plan.output === '-' ? 'standard output' : plan.output}`,
    );
  }
  const pushed = plan.remoteWrite === undefined || !deps.pushRange || (await deps.pushRange(plan));

  for (const o of outcomes) {
    if (o.missing.length === 0) continue;
    const notReady = fetched.get(o.appid)?.notReady ?? [];
    const why =
      o.error !== undefined ? `fetching stopped: ${o.error}` : notReady.length > 0 ? 'WeChat has not published them yet' : 'not stored';
    report(
      `${o.name} (${o.appid}): ${o.missing.length} of ${total} days NOT written: ${formatDays(o.missing)} (${why}); a new run of the same command fetches only the days still missing`,
    );
  }
  const incomplete = outcomes.some((o) => o.missing.length > 0);
  return { exitCode: incomplete || !pushed ? 1 : 0, accounts: outcomes, samples };
}

import { Command } from 'commander';
import type { Clock } from '../clock.js';
import { formatDays } from '../dates.js';
import { recoverStore, type RecoverReport } from './recover.js';

/** The report of `store recover`, one line per fact, for a person at a terminal. */
export function formatRecoverReport(path: string, r: RecoverReport): string[] {
  const lines = [
    `moved the damaged store aside: ${r.movedTo} (kept as it was)`,
    `new store ${path}: ${r.kept} whole day(s) of ${r.accounts} account(s) kept`,
  ];
  const byAccount = new Map<string, string[]>();
  for (const d of r.dropped) byAccount.set(d.appid, [...(byAccount.get(d.appid) ?? []), d.refDate]);
  for (const [appid, days] of byAccount) lines.push(`dropped ${appid}: ${formatDays(days.sort())} (rows missing or unreadable)`);
  for (const e of r.readErrors) lines.push(`unreadable part: ${e}`);
  lines.push(
    'days not kept are fetched again from WeChat: the lookback window at the next start of the exporter, older days with `backfill --from … --to …`',
  );
  return lines;
}

/** `store recover`: the documented way back from a damaged store (see docs/deploy.md). */
export function storeCommand(storagePath: () => string, clock: Clock): Command {
  const store = new Command('store').description('maintenance of the SQLite store (--storage.path)');
  store
    .command('recover')
    .description(
      'replace a damaged store: move it aside, keep every day SQLite can still read whole, drop the rest (fetched again from WeChat); run it with the exporter stopped',
    )
    .action(() => {
      const path = storagePath();
      const report = recoverStore(path, clock.now());
      for (const line of formatRecoverReport(path, report)) process.stdout.write(`${line}\n`);
    });
  return store;
}

/**
 * What account labels cost on /metrics at 1,000 accounts: the bytes of the prepared per-account
 * families, plain and gzip as a scrape gets them (the exporter's own PreparedExposition and gzip
 * pieces), for three layouts:
 *   - without labels (the exposition before `labels:`),
 *   - with wechat_exporter_account_info (what the exporter does),
 *   - with the labels also copied onto every per-account series (what a `metrics.accountLabels`
 *     option would do; not built, measured here to decide against it: README, "Account labels").
 * Sizes are deterministic: no timing, so a loaded machine gives the same figures.
 *   node --import tsx bench/label-cost.ts [accounts=1000]
 */
import { accountFamilies, type AccountFamily } from '../src/metrics/exposition/families.js';
import { PreparedExposition } from '../src/metrics/exposition/prepared-exposition.js';
import { formatLabels } from '../src/metrics/exposition/text-format.js';
import type { AccountState } from '../src/poll/account-state.js';

const INFO = 'wechat_exporter_account_info';

/** Accounts as a day of polling leaves them: up, every hour with traffic, two owner labels of typical length. */
function states(n: number): AccountState[] {
  return Array.from({ length: n }, (_, i) => {
    const hours = Array.from({ length: 24 }, (_, h) => ({
      callbackCount: 100 + ((i * 7 + h * 13) % 900),
      failCount: (i + h) % 5,
      totalTimeCost: 50_000 + ((i * 31 + h * 17) % 90_000),
      maxTimeCost: 800 + ((i + h * 3) % 4_000),
    }));
    const daily = { callbackCount: 24_000 + i, failCount: 48, totalTimeCost: 1_900_000 + i * 3, maxTimeCost: 5_042 };
    return {
      name: `account-${String(i).padStart(4, '0')}`,
      appid: `wx${i.toString(16).padStart(16, '0')}`,
      tokenSource: 'stable',
      labels: {
        customer: `customer-${String(i % 400).padStart(4, '0')}`,
        team: ['payments', 'newsroom', 'retail-cn', 'platform'][i % 4] as string,
      },
      up: true,
      reference: { refDate: '2026-03-09', status: 'complete', daily, hours },
      lastSuccessAt: Date.parse('2026-03-10T08:15:03+08:00'),
      pendingDays: [],
    };
  });
}

/** The family with the account's labels put after appid and account on each of its samples. */
function copied(family: AccountFamily): AccountFamily {
  return {
    ...family,
    samples: (a) => {
      const own = formatLabels(Object.entries(a.labels));
      return family.samples(a).map((s) => ({ labels: s.labels ? `${own},${s.labels}` : own, value: s.value }));
    },
  };
}

async function measure(
  accounts: readonly AccountState[],
  families: readonly AccountFamily[],
): Promise<{ plain: number; gzip: number; series: number }> {
  const prepared = await new PreparedExposition({ accounts: () => accounts, families, statics: [] }).families();
  const plain = prepared.blocks.reduce((n, b) => n + b.length, 0);
  // As served: the gzip header (10), the pieces, the final block (2) and the trailer (8).
  const gzip = 20 + prepared.gzip.reduce((n, p) => n + p.deflated.length, 0);
  const series = prepared.blocks.reduce((n, b) => n + (b.toString('latin1').match(/\n[a-z]/g)?.length ?? 0), 0);
  return { plain, gzip, series };
}

const n = Number(process.argv[2] ?? 1000);
const accounts = states(n);
const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
const vs = (b: number, base: number): string => `${b >= base ? '+' : ''}${(((b - base) / base) * 100).toFixed(1)} %`;
for (const hourly of [true, false]) {
  const all = accountFamilies(hourly);
  const without = all.filter((f) => f.name !== INFO);
  const base = await measure(accounts, without);
  const info = await measure(accounts, all);
  const everywhere = await measure(accounts, [...without.map(copied), ...all.filter((f) => f.name === INFO)]);
  console.log(`${n} accounts, metrics.hourly: ${hourly} (${base.series} per-account series without labels)`);
  console.log(`  layout                         plain            gzip`);
  for (const [what, m] of [
    ['no labels', base],
    ['info series (what is built)', info],
    ['labels on every series', everywhere],
  ] as const) {
    console.log(
      `  ${what.padEnd(30)} ${kib(m.plain).padStart(11)} ${vs(m.plain, base.plain).padStart(8)}  ${kib(m.gzip).padStart(10)} ${vs(m.gzip, base.gzip).padStart(8)}`,
    );
  }
}

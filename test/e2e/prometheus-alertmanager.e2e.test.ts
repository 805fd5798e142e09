/**
 * Issue 4, end to end: the exporter (run from source as a subprocess) against the WeChat simulator,
 * scraped by a real Prometheus 2.42 that loads the real rules file, alerting through a real
 * Alertmanager 0.25 to a webhook in this test. Checks that every Grafana panel query has data in
 * Prometheus and that the failure-ratio alert fires for the failing account, and only for it,
 * all the way to the webhook.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { offsetClock } from '../../src/clock.js';
import { WechatSimulator, simulatedDay, type SimulatorProfile } from '../../src/simulator/index.js';
import { parseSamples, valueOf } from '../helpers/metrics-text.js';
import { which } from '../helpers/tools.js';
import { HISTORY_ROW, NEEDS_A_WEEK, dashboardQueries, variableSelector, type DashboardQuery } from '../rules/dashboard-queries.js';
import { OWNER_RECEIVERS, alertmanagerConfig, exporterConfig, prometheusConfig, rulesWithFor, type E2eAccount } from './support/configs.js';
import { startOnFreePort, type ManagedProcess } from './support/process.js';
import { PrometheusApi, type PrometheusAlert } from './support/prometheus-api.js';
import { done, notYet, waitFor } from './support/wait.js';
import { WebhookReceiver, type WebhookAlert } from './support/webhook.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES_FILE = join(REPO_ROOT, 'prometheus', 'wechat-interface-exporter.rules.yml');

// 09:00 Beijing: yesterday's data is ready (from 08:00), so the exporter's start-up catch-up fetches
// it at once. Prometheus evaluates with the real clock, so time-based alerts such as
// WechatInterfaceDataStale may fire too (this day is "old" for it); the test does not look at them.
const NOW = '2026-03-10T09:00:00+08:00';
const REFERENCE_DAY = '2026-03-09';
const ALERT = 'WechatInterfaceFailureRatioHigh';
/** The rules' default day threshold (:wechat_interface_day_failure_ratio_threshold:ratio). */
const THRESHOLD = 0.01;

interface Account extends E2eAccount {
  readonly secret: string;
  readonly profile?: SimulatorProfile;
}

const HEALTHY: Account = {
  name: 'healthy',
  appid: 'wx00000000000e2e01',
  secretEnv: 'E2E_HEALTHY_SECRET',
  secret: 'e2e-healthy-secret-00000000001',
  profile: { failureRatio: 0.002 },
};
const FAILING: Account = {
  name: 'failing',
  appid: 'wx00000000000e2e02',
  secretEnv: 'E2E_FAILING_SECRET',
  secret: 'e2e-failing-secret-00000000002',
  profile: { failureRatio: 0.08 },
  labels: { team: 'payments', customer: 'acme' },
};
// Down from the start (its IP is not whitelisted), so that the dashboard's "why is it down" query
// (wechat_exporter_account_error_info) has data too.
const BLOCKED: Account = {
  name: 'blocked',
  appid: 'wx00000000000e2e03',
  secretEnv: 'E2E_BLOCKED_SECRET',
  secret: 'e2e-blocked-secret-00000000003',
  labels: { team: 'newsroom' },
};
const ACCOUNTS = [HEALTHY, FAILING, BLOCKED] as const;
const WITH_DATA = [HEALTHY, FAILING] as const;

const dayRatio = (a: Account): number => {
  const day = simulatedDay(a.appid, REFERENCE_DAY, a.profile);
  return day.fail_count / day.callback_count;
};

/**
 * Why a dashboard query has no data for one account in this scenario, or undefined when it must
 * have data. The test asserts that such a query IS empty, so a wrong reason does not go unnoticed.
 */
function expectedEmpty(account: Account | undefined, q: DashboardQuery): string | undefined {
  if (q.rowTitle === HISTORY_ROW)
    return 'history is imported by backfill, never scraped (test/backfill/promtool-e2e.test.ts shows these panels with data)';
  if (NEEDS_A_WEEK.test(q.expr))
    return 'the typical week needs a week of hourly snapshots; test/rules/baseline.e2e.test.ts shows these columns with data';
  if (account === BLOCKED && /wechat_interface_|wechat_exporter_last_success_timestamp_seconds/.test(q.expr)) {
    return 'the blocked account never fetched any data';
  }
  if (account !== undefined && account !== BLOCKED && q.expr.includes('wechat_exporter_account_error_info')) {
    return 'the error info exists only while an account is down';
  }
  return undefined;
}

/** The first of `names` on PATH, else the Debian path of `fallback`. */
function findBinary(names: readonly string[], fallback: string): string | undefined {
  for (const name of names) {
    const path = which(name);
    if (path) return path;
  }
  return existsSync(fallback) ? fallback : undefined;
}

const describeAlert = (a: { labels: Readonly<Record<string, string>>; state?: string; status?: string }): string =>
  `${a.labels['alertname'] ?? '?'}{account=${a.labels['account'] ?? '-'}} ${a.state ?? a.status ?? ''}`;

/** Alerts described, duplicates counted (the hour alert fires once per hour label). */
function describeAlerts(alerts: readonly Parameters<typeof describeAlert>[0][]): string {
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(describeAlert(a), (counts.get(describeAlert(a)) ?? 0) + 1);
  return `[${[...counts].map(([text, n]) => (n > 1 ? `${text} ×${n}` : text)).join('; ')}]`;
}

describe('end to end: exporter → Prometheus 2.42 (real rules) → Alertmanager 0.25 → webhook', function () {
  const processes: ManagedProcess[] = [];
  const webhook = new WebhookReceiver();
  let sim: WechatSimulator | undefined;
  let tmp: string | undefined;
  let prometheus: PrometheusApi;
  let failed = false;

  before(async function () {
    this.timeout(60_000);
    const prometheusBin = findBinary(['prometheus'], '/usr/bin/prometheus');
    const alertmanagerBin = findBinary(['alertmanager', 'prometheus-alertmanager'], '/usr/bin/prometheus-alertmanager');
    if (!prometheusBin || !alertmanagerBin) {
      console.log(
        `      skipped: ${prometheusBin ? 'alertmanager (or prometheus-alertmanager)' : 'prometheus'} is not installed (CI installs the Debian packages prometheus and prometheus-alertmanager)`,
      );
      this.skip();
    }
    try {
      // The scenario itself: one account clearly under the 1 % threshold, one clearly above.
      assert.ok(dayRatio(HEALTHY) < THRESHOLD / 2, `healthy's simulated ratio ${dayRatio(HEALTHY)} is not well under ${THRESHOLD}`);
      assert.ok(dayRatio(FAILING) > THRESHOLD * 2, `failing's simulated ratio ${dayRatio(FAILING)} is not well above ${THRESHOLD}`);
      tmp = mkdtempSync(join(tmpdir(), 'wx-e2e-'));

      // 1. The simulator, on the exporter's pinned time.
      sim = new WechatSimulator({
        accounts: ACCOUNTS.map((a) => ({ appid: a.appid, secret: a.secret, ...(a.profile ? { profile: a.profile } : {}) })),
        clock: offsetClock(NOW),
      });
      const simUrl = await sim.listen(0, '127.0.0.1');
      sim.configure(BLOCKED.appid, { ipWhitelisted: false });
      // One "called too often" answer per account before its first poll: retried by the exporter
      // and counted, so the "errors by errcode" panel has data for every account.
      for (const a of WITH_DATA) sim.inject({ kind: 'errcode', errcode: 45011 }, { api: 'getinterfacesummary', appid: a.appid });

      // The exporter, from source, as a fresh CI machine runs it (no build needed).
      const configFile = join(tmp, 'exporter.yml');
      writeFileSync(configFile, exporterConfig(simUrl, ACCOUNTS));
      const secrets = Object.fromEntries(ACCOUNTS.map((a) => [a.secretEnv, a.secret]));
      const exporter = await startOnFreePort(
        (port) => ({
          name: 'exporter',
          command: process.execPath,
          args: [
            '--import',
            'tsx',
            'src/cli.ts',
            `--config.file=${configFile}`,
            `--web.listen-address=127.0.0.1:${port}`,
            `--storage.path=${join(tmp as string, 'exporter.db')}`,
            '--log.format=json',
          ],
          cwd: REPO_ROOT,
          env: { ...process.env, ...secrets, WECHAT_EXPORTER_FAKE_NOW: NOW },
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
        }),
        processes,
      );
      const exporterTarget = `127.0.0.1:${exporter.port}`;
      await waitFor('the exporter to export yesterday for healthy and failing, and blocked as down', async () => {
        exporter.proc.assertRunning();
        const samples = parseSamples(await (await fetch(`http://${exporterTarget}/metrics`)).text());
        const state: Record<string, number | undefined> = {
          'blocked up': valueOf(samples, 'wechat_exporter_account_up', { account: BLOCKED.name }),
        };
        for (const a of WITH_DATA)
          state[`${a.name} day_callbacks`] = valueOf(samples, 'wechat_interface_day_callbacks', { account: a.name });
        const ready = WITH_DATA.every((a) => state[`${a.name} day_callbacks`] !== undefined) && state['blocked up'] === 0;
        return ready ? done(undefined) : notYet(JSON.stringify(state));
      });

      // 2. The webhook. 3. Alertmanager, clustering off (it would bind 9094 otherwise).
      const webhookUrl = await webhook.listen();
      const alertmanagerFile = join(tmp, 'alertmanager.yml');
      writeFileSync(alertmanagerFile, alertmanagerConfig(webhookUrl));
      const alertmanager = await startOnFreePort(
        (port) => ({
          name: 'alertmanager',
          command: alertmanagerBin,
          args: [
            `--config.file=${alertmanagerFile}`,
            `--storage.path=${join(tmp as string, 'alertmanager')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--cluster.listen-address=',
          ],
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
        }),
        processes,
      );

      // 4. Prometheus with a COPY of the real rules file in which only the `for:` durations are
      // 0s (they are 5m to 1h): everything else, expressions, labels and annotation templates
      // included, is byte for byte the file users load. The source file is not touched.
      const rulesFile = join(tmp, 'wechat-interface-exporter.rules.yml');
      writeFileSync(rulesFile, rulesWithFor(readFileSync(RULES_FILE, 'utf8'), '0s'));
      const prometheusFile = join(tmp, 'prometheus.yml');
      writeFileSync(prometheusFile, prometheusConfig({ exporterTarget, alertmanagerTarget: `127.0.0.1:${alertmanager.port}`, rulesFile }));
      const prom = await startOnFreePort(
        (port) => ({
          name: 'prometheus',
          command: prometheusBin,
          args: [
            `--config.file=${prometheusFile}`,
            `--storage.tsdb.path=${join(tmp as string, 'prometheus')}`,
            `--web.listen-address=127.0.0.1:${port}`,
          ],
          readyUrl: `http://127.0.0.1:${port}/-/ready`,
        }),
        processes,
      );
      prometheus = new PrometheusApi(`http://127.0.0.1:${prom.port}`);

      // A few scrapes (the panels' increase()/rate() need two samples) and the recording rules
      // evaluated for both accounts with data.
      await waitFor('Prometheus to scrape the exporter 3 times and record the failure ratio of both accounts', async () => {
        prom.proc.assertRunning();
        const scrapes = await prometheus.query('sum(count_over_time(up{job="wechat-interface-exporter"}[1m]))');
        const up = await prometheus.query('up{job="wechat-interface-exporter"}');
        const ratios = await prometheus.query('appid_account:wechat_interface_day_failure_ratio:ratio');
        const count = scrapes.ok ? Number(scrapes.result[0]?.value?.[1] ?? 0) : 0;
        const upValue = up.ok ? up.result[0]?.value?.[1] : undefined;
        const recorded = ratios.ok ? ratios.result.map((s) => s.metric['account']) : [];
        const ready = count >= 3 && upValue === '1' && WITH_DATA.every((a) => recorded.includes(a.name));
        return ready ? done(undefined) : notYet(`scrapes=${count} up=${String(upValue)} ratios recorded for [${recorded.join(', ')}]`);
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async function () {
    this.timeout(30_000);
    if (failed) {
      for (const p of processes) console.log(`\n----- ${p.name} (${p.exit ?? 'running'}), last output -----\n${p.output}`);
      console.log(`\n----- webhook: ${webhook.notifications.length} notification(s): ${describeAlerts(webhook.alerts())}`);
      if (webhook.rejected.length > 0) console.log(`webhook rejected: ${webhook.rejected.join('\n')}`);
    }
    await Promise.all(processes.map((p) => p.stop()));
    await webhook.close();
    await sim?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs every query of every dashboard panel without error and gets data, for all accounts and for each one', async function () {
    this.timeout(20_000);
    const problems: string[] = [];
    let checked = 0;
    for (const account of [undefined, ...ACCOUNTS]) {
      const scope = account ? `$account=${account.name}` : '$account=.*';
      const queries = dashboardQueries(undefined, account ? { account: account.name } : {});
      for (const q of queries) {
        // Grafana runs tables and hour bar charts as instant queries, time series as range queries.
        const answer = q.instant ? await prometheus.query(q.expr) : await prometheus.queryRange(q.expr, 60);
        const where = `${scope} panel ${q.panelId} "${q.panelTitle}" ${q.refId}: ${q.expr.replace(/\s+/g, ' ')}`;
        checked++;
        if (!answer.ok) {
          problems.push(`${where}\n    error: ${answer.error}`);
          continue;
        }
        const emptyBecause = expectedEmpty(account, q);
        if (emptyBecause === undefined && answer.result.length === 0) problems.push(`${where}\n    no data`);
        if (emptyBecause !== undefined && answer.result.length > 0) {
          problems.push(`${where}\n    expected no data (${emptyBecause}), got ${answer.result.length} series`);
        }
      }
    }
    assert.ok(checked >= 4 * 20, `only ${checked} queries checked: did the dashboard lose its panels?`);
    assert.deepEqual(problems, [], `dashboard queries that failed:\n${problems.join('\n')}`);
  });

  it('lists the accounts of the selected owners in the dashboard account variable (All owners: every account)', async function () {
    this.timeout(20_000);
    const accounts = async (values: Record<string, string | readonly string[]>): Promise<string[]> => {
      const answer = await prometheus.query(variableSelector('account', values));
      assert.ok(answer.ok, JSON.stringify(answer));
      return answer.result.map((s) => s.metric['account'] ?? '?').sort();
    };
    const all = ACCOUNTS.map((a) => a.name).sort();
    assert.deepEqual(await accounts({ owner_label: 'team', owner: ['payments'] }), [FAILING.name]);
    assert.deepEqual(await accounts({ owner_label: 'team', owner: ['payments', 'newsroom'] }), [BLOCKED.name, FAILING.name].sort());
    assert.deepEqual(await accounts({ owner_label: 'customer', owner: ['acme'] }), [FAILING.name]);
    assert.deepEqual(await accounts({ owner_label: 'team', owner: '.*' }), all, 'All owners: accounts without the label too');
    assert.deepEqual(await accounts({ owner_label: 'account', owner: '.*' }), all);
  });

  it(`fires ${ALERT} in Prometheus for the failing account, not for the healthy one`, async function () {
    this.timeout(65_000);
    let alerts: PrometheusAlert[] = [];
    const firing = await waitFor(`${ALERT} to fire for failing in Prometheus`, async () => {
      alerts = await prometheus.alerts();
      const hit = alerts.find((a) => a.labels['alertname'] === ALERT && a.labels['account'] === FAILING.name && a.state === 'firing');
      return hit ? done(hit) : notYet(`alerts: ${describeAlerts(alerts)}`);
    });
    assert.equal(firing.labels['appid'], FAILING.appid);
    assert.equal(firing.labels['severity'], 'warning');
    assert.ok(Math.abs(Number(firing.value) - dayRatio(FAILING)) < 1e-9, `value ${firing.value}, simulated ${dayRatio(FAILING)}`);

    // The rule did look at healthy: its ratio is recorded, and under the threshold.
    const healthy = await prometheus.query(`appid_account:wechat_interface_day_failure_ratio:ratio{account="${HEALTHY.name}"}`);
    assert.ok(healthy.ok && healthy.result.length === 1, `healthy's failure ratio is not recorded: ${JSON.stringify(healthy)}`);
    const healthyRatio = Number(healthy.result[0]?.value?.[1]);
    assert.ok(Math.abs(healthyRatio - dayRatio(HEALTHY)) < 1e-9 && healthyRatio < THRESHOLD, `healthy's recorded ratio ${healthyRatio}`);
    // `alerts` holds pending alerts too, from the same evaluation that fired failing's.
    const others = alerts.filter((a) => a.labels['alertname'] === ALERT && a.labels['account'] !== FAILING.name);
    assert.deepEqual(others.map(describeAlert), [], `${ALERT} is active for another account`);
  });

  it(`delivers ${ALERT} through Alertmanager to the webhook with account, appid, alertname and severity, and nothing for healthy`, async function () {
    this.timeout(65_000);
    const isOurs = (a: WebhookAlert): boolean =>
      a.labels['alertname'] === ALERT && a.labels['account'] === FAILING.name && a.status === 'firing';
    const received = await waitFor(`${ALERT} for failing at the webhook`, async () => {
      const hit = webhook.alerts().find(isOurs);
      return hit ? done(hit) : notYet(`${webhook.notifications.length} notification(s): ${describeAlerts(webhook.alerts())}`);
    });
    assert.equal(received.labels['appid'], FAILING.appid);
    assert.equal(received.labels['severity'], 'warning');
    // The annotation templates ran in the real Prometheus, `query` calls included.
    assert.match(received.annotations['summary'] ?? '', /WeChat account failing: 9\.\d+% of callbacks failed on the reference day/);
    assert.ok(
      (received.annotations['description'] ?? '').includes(
        `${FAILING.appid}) failed on ${REFERENCE_DAY} (Beijing), above the 1% threshold`,
      ),
      received.annotations['description'],
    );

    // Notifications are grouped by alert name, so one for healthy would have come in the same
    // notification; wait two more group intervals anyway before concluding that none came.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const others = webhook.alerts().filter((a) => a.labels['alertname'] === ALERT && a.labels['account'] !== FAILING.name);
    assert.deepEqual(others.map(describeAlert), [], `${ALERT} reached the webhook for another account`);
    assert.deepEqual(webhook.rejected, []);
  });

  it('routes by owner: failing to the payments team, blocked to the newsroom team, each team only its own accounts', async function () {
    this.timeout(65_000);
    const to = (receiver: string): WebhookAlert[] => webhook.notifications.filter((n) => n.receiver === receiver).flatMap((n) => n.alerts);
    const payments = await waitFor(`${ALERT} for failing at ${OWNER_RECEIVERS.payments}`, async () => {
      const hit = to(OWNER_RECEIVERS.payments).find((a) => a.labels['alertname'] === ALERT && a.labels['account'] === FAILING.name);
      return hit ? done(hit) : notYet(`${webhook.notifications.map((n) => `${n.receiver}: ${describeAlerts(n.alerts)}`).join(' | ')}`);
    });
    // The owner labels came from the exporter's config, through wechat_exporter_account_info and the rules' join.
    assert.equal(payments.labels['team'], 'payments');
    assert.equal(payments.labels['customer'], 'acme');
    assert.match(payments.annotations['summary'] ?? '', /WeChat account failing: 9\.\d+% of callbacks failed/);
    const newsroom = await waitFor(`WechatExporterAccountDown for blocked at ${OWNER_RECEIVERS.newsroom}`, async () => {
      const hit = to(OWNER_RECEIVERS.newsroom).find((a) => a.labels['alertname'] === 'WechatExporterAccountDown');
      return hit ? done(hit) : notYet(`${webhook.notifications.map((n) => `${n.receiver}: ${describeAlerts(n.alerts)}`).join(' | ')}`);
    });
    assert.equal(newsroom.labels['account'], BLOCKED.name);
    assert.equal(newsroom.labels['team'], 'newsroom');
    assert.equal(newsroom.labels['reason'], 'ip_not_whitelisted');
    // Each team got its own accounts' alerts only; the account without labels went to the default receiver.
    for (const [team, receiver] of Object.entries(OWNER_RECEIVERS)) {
      const strays = to(receiver).filter((a) => a.labels['team'] !== team);
      assert.deepEqual(strays.map(describeAlert), [], `${receiver} got another owner's alerts`);
    }
    const unowned = webhook.notifications.filter((n) => n.receiver === 'webhook').flatMap((n) => n.alerts);
    assert.ok(
      unowned.every((a) => a.labels['team'] === undefined),
      `the default receiver got owned alerts: ${describeAlerts(unowned)}`,
    );
  });
});

/**
 * The Prometheus rules (checked and unit-tested with promtool) and the Grafana dashboard
 * (structure, units, variables, and every query naming only metrics that exist).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { HOUR_PANEL_QUERIES } from '../../scripts/hour-panels.js';
import { allPanels, dashboardQueries, loadDashboard, substituteVariables, variableSelector } from './dashboard-queries.js';
import type { Panel } from './dashboard-queries.js';
import { RULES_PATH, knownMetricNames, loadRules, metricNamesIn } from './metric-names.js';

const PROMETHEUS_DIR = fileURLToPath(new URL('../../prometheus/', import.meta.url));
const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
const TEST_FILES = readdirSync(TESTS_DIR)
  .filter((name) => name.endsWith('.test.yml'))
  .sort();

const promtoolAvailable = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

function skipWithoutPromtool(this: Mocha.Context): void {
  if (!promtoolAvailable) {
    console.log('    skipped: promtool is not on PATH (install Prometheus, e.g. apt-get install prometheus)');
    this.skip();
  }
}

/**
 * promtool starts a rule engine per file: seconds each, but 15 s and more were seen on a loaded
 * 2-core machine. Its own limit is below the tests' (PROMTOOL_TEST_MS) so that a hung promtool
 * fails with its output and the reason, not with mocha's bare timeout (spawnSync blocks mocha's timer).
 */
const PROMTOOL_LIMIT_MS = 120_000;
const PROMTOOL_TEST_MS = PROMTOOL_LIMIT_MS + 30_000;

function promtool(args: readonly string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd, timeout: PROMTOOL_LIMIT_MS });
  const killed = result.error ? `promtool ${args.join(' ')}: ${result.error.message} (limit ${PROMTOOL_LIMIT_MS} ms)\n` : '';
  return { status: result.status, output: `${killed}${result.stdout}${result.stderr}` };
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Metrics about the exporter itself that carry no `account` label, so they cannot be filtered by `$account`. */
const EXPORTER_HEALTH_ONLY = new Set(['wechat_exporter_api_request_duration_seconds_bucket', 'wechat_exporter_build_info', 'up']);

describe('prometheus rules', function () {
  this.timeout(PROMTOOL_TEST_MS);
  it('has rule unit tests to run', () => {
    assert.ok(TEST_FILES.length > 0, `no *.test.yml in ${TESTS_DIR}`);
  });

  it('passes promtool check rules, lint included', function () {
    skipWithoutPromtool.call(this);
    const { status, output } = promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_PATH]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  for (const file of TEST_FILES) {
    it(`passes promtool test rules ${file}`, function () {
      skipWithoutPromtool.call(this);
      const { status, output } = promtool(['test', 'rules', file], TESTS_DIR);
      assert.equal(status, 0, output);
    });
  }

  it('defines the documented alerts, each with severity, summary and description', () => {
    const alerts = loadRules().filter((rule) => rule.alert !== undefined);
    const names = new Set(alerts.map((rule) => rule.alert));
    for (const name of [
      'WechatInterfaceFailureRatioHigh',
      'WechatInterfaceHourFailureRatioHigh',
      'WechatInterfaceLatencyNearTimeout',
      'WechatInterfaceDataStale',
      'WechatExporterAccountDown',
      'WechatExporterDown',
    ]) {
      assert.ok(names.has(name), `missing alert ${name}`);
    }
    for (const rule of alerts) {
      assert.match(rule.labels?.severity ?? '', /^(warning|critical)$/, `${rule.alert}: severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert}: summary`);
      assert.ok(rule.annotations?.description, `${rule.alert}: description`);
    }
  });

  it('names recording rules level:metric:operations, the level being the labels of the output', () => {
    // https://prometheus.io/docs/practices/rules/: level is the aggregation level and labels of the
    // output, so a rule `sum by (appid, account)` is appid_account:..., and a label-less constant
    // (a threshold built with vector()) has an empty level: :metric:operation.
    for (const rule of loadRules()) {
      if (rule.record === undefined) continue;
      const [level, metric, operation] = rule.record.split(':');
      assert.match(rule.record, /^[a-z_]*:[a-z_]+:[a-z_0-9]+$/, rule.record);
      assert.ok(metric && operation, rule.record);
      const by = /\bby\s*\(([^)]*)\)/.exec(rule.expr)?.[1];
      const expected =
        by === undefined
          ? /^vector\(/.test(rule.expr.trim())
            ? ''
            : undefined
          : by
              .split(',')
              .map((l) => l.trim())
              .join('_');
      assert.equal(level, expected, `${rule.record}: level must name the output's labels`);
    }
  });

  it('refers only to metrics that exist, in expressions and annotation queries', () => {
    const known = knownMetricNames();
    for (const rule of loadRules()) {
      const name = rule.record ?? rule.alert;
      for (const metric of metricNamesIn(rule.expr)) assert.ok(known.has(metric), `${name}: unknown metric ${metric}`);
      for (const text of Object.values(rule.annotations ?? {})) {
        for (const [metric] of text.matchAll(/(?<![\w:]):?(?:wechat_|appid_account)[\w:]*/g)) {
          assert.ok(known.has(metric), `${name}: unknown metric ${metric} in an annotation`);
        }
      }
    }
  });
});

describe('metricNamesIn', () => {
  it('finds selected metrics and skips functions, keywords, labels, strings and durations', () => {
    const names = metricNamesIn(
      'sum by (le, api) (rate(a_bucket{job=~"x_y"}[5m] offset 1d)) / on (appid) group_left (reason) b:c:d > bool 1e3 and ignoring (x) up',
    );
    assert.deepEqual(names.sort(), ['a_bucket', 'b:c:d', 'up']);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = loadDashboard();
  const panels = allPanels(dashboard);
  const queryPanels = panels.filter((panel) => panel.type !== 'row');
  const variables = dashboard.templating.list;

  function unitsOf(panel: Panel): string[] {
    const units: string[] = [];
    if (panel.fieldConfig?.defaults?.unit) units.push(panel.fieldConfig.defaults.unit);
    for (const override of panel.fieldConfig?.overrides ?? []) {
      for (const property of override.properties) {
        if (property.id === 'unit' && typeof property.value === 'string') units.push(property.value);
      }
    }
    return units;
  }

  it('has a stable identity and no import-time inputs', () => {
    assert.equal(dashboard.uid, 'wechat-interface-exporter');
    assert.equal(dashboard.title, 'WeChat Interface Summary');
    assert.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`);
    assert.ok(!('__inputs' in dashboard), '__inputs must be absent: the data source is a variable');
    assert.ok(!('__requires' in dashboard), '__requires belongs to exports with __inputs');
    assert.ok(Array.isArray(dashboard.tags) && dashboard.tags.length > 0, 'tags');
  });

  it('has a Prometheus data source variable', () => {
    const ds = variables.find((variable) => variable.name === 'datasource');
    assert.ok(ds, 'variable datasource');
    assert.equal(ds.type, 'datasource');
    assert.equal(ds.query, 'prometheus');
    assert.equal(ds.label, 'Data source');
  });

  it('has a multi-value account variable with All, queried through $datasource', () => {
    const account = variables.find((variable) => variable.name === 'account');
    assert.ok(account, 'variable account');
    assert.equal(account.type, 'query');
    assert.equal(account.multi, true);
    assert.equal(account.includeAll, true);
    assert.deepEqual(account.datasource, DATASOURCE);
    const query = account.query as string | { query?: string };
    const text = typeof query === 'string' ? query : query.query;
    assert.equal(text, 'label_values(wechat_exporter_account_info{job=~"$job", instance=~"$instance", $owner_label=~"$owner"}, account)');
    // All must be the listed accounts (those of the selected owners), not `.*`, which would match every account again.
    assert.equal(account.allValue ?? null, null);
  });

  it('filters the account list by owner through its templating: owner_label (label names of the info series) and owner', () => {
    const ownerLabel = variables.find((variable) => variable.name === 'owner_label');
    const owner = variables.find((variable) => variable.name === 'owner');
    assert.ok(ownerLabel && owner, 'variables owner_label and owner');
    const regex = /^\/(.*)\/$/.exec(String(ownerLabel.regex))?.[1] ?? '';
    const kept = ['__name__', 'account', 'appid', 'customer', 'instance', 'job', 'team'].filter((n) => new RegExp(regex).test(n));
    assert.deepEqual(kept, ['account', 'customer', 'team'], 'the owner labels, and account as "no filter"');
    assert.equal(owner.multi, true);
    assert.equal(owner.includeAll, true);
    // All owners: accounts without the label too (an absent label matches `.*`).
    assert.equal(owner.allValue, '.*');
    const names = variables.map((variable) => variable.name);
    assert.ok(names.indexOf('owner_label') < names.indexOf('owner') && names.indexOf('owner') < names.indexOf('account'), 'order');
    assert.equal(
      variableSelector('account', { owner_label: 'team', owner: ['payments', 'news.room'] }),
      'wechat_exporter_account_info{job=~".+", instance=~".+", team=~"(payments|news\\\\.room)"}',
    );
  });

  it('groups panels in rows and gives every panel a unique id', () => {
    assert.ok(panels.filter((panel) => panel.type === 'row').length >= 3, 'at least three rows');
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(',')}`);
  });

  it('describes every panel and queries ${datasource} everywhere', () => {
    assert.ok(queryPanels.length >= 10, `only ${queryPanels.length} panels`);
    for (const panel of queryPanels) {
      assert.ok(panel.description && panel.description.length > 20, `${panel.title}: description`);
      assert.deepEqual(panel.datasource, DATASOURCE, `${panel.title}: panel datasource`);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title}: no queries`);
      for (const target of panel.targets ?? []) {
        assert.deepEqual(target.datasource, DATASOURCE, `${panel.title} ${target.refId}: target datasource`);
        assert.ok(target.expr, `${panel.title} ${target.refId}: no expr`);
      }
    }
  });

  it('sets units on every panel, dates in milliseconds', () => {
    for (const panel of queryPanels) {
      assert.ok(unitsOf(panel).length > 0, `${panel.title}: no unit`);
      for (const target of panel.targets ?? []) {
        if (!/timestamp_seconds/.test(target.expr ?? '')) continue;
        // The hour panels join the reference day's timestamp to pick history samples; they show counts and seconds.
        if (panel.title in HOUR_PANEL_QUERIES) continue;
        assert.match(target.expr ?? '', /\*\s*1000\b/, `${panel.title} ${target.refId}: seconds must be turned into ms`);
        assert.ok(
          unitsOf(panel).some((unit) => unit.startsWith('dateTime')),
          `${panel.title}: timestamps need a dateTime unit`,
        );
      }
    }
    const units = new Set(queryPanels.flatMap(unitsOf));
    for (const unit of ['s', 'percentunit', 'short']) assert.ok(units.has(unit), `no panel uses unit ${unit}`);
  });

  it('marks the 5-second timeout on a latency panel', () => {
    const marked = queryPanels.some((panel) => {
      const defaults = panel.fieldConfig?.defaults as
        | { unit?: string; thresholds?: { steps?: { value: number | null }[] }; custom?: { thresholdsStyle?: { mode?: string } } }
        | undefined;
      return (
        defaults?.unit === 's' &&
        (defaults.thresholds?.steps ?? []).some((step) => step.value === 5) &&
        defaults.custom?.thresholdsStyle?.mode === 'line'
      );
    });
    assert.ok(marked, 'no panel in seconds with a threshold line at 5');
  });

  it('shows the reference day by hour with instant queries labelled by hour', () => {
    const hourTargets = queryPanels.flatMap((panel) =>
      (panel.targets ?? []).filter((target) => /wechat_interface_hour_/.test(target.expr ?? '')).map((target) => ({ panel, target })),
    );
    assert.ok(hourTargets.length >= 4, 'hour panels');
    for (const { panel, target } of hourTargets) {
      assert.equal(target.instant, true, `${panel.title}: instant`);
      assert.equal(target.legendFormat, '{{hour}}', `${panel.title}: legendFormat`);
    }
  });

  it('filters every query by $account, except exporter-wide health queries', () => {
    for (const query of dashboardQueries(dashboard)) {
      if (query.rawExpr.includes('$account')) continue;
      const names = metricNamesIn(query.expr);
      assert.ok(
        names.length > 0 && names.every((name) => EXPORTER_HEALTH_ONLY.has(name)),
        `${query.panelTitle} ${query.refId}: not filtered by $account: ${query.rawExpr}`,
      );
    }
  });

  it('queries only metrics the exporter exposes or the rules record', () => {
    const known = knownMetricNames();
    for (const query of dashboardQueries(dashboard)) {
      const names = metricNamesIn(query.expr);
      assert.ok(names.length > 0, `${query.panelTitle} ${query.refId}: no metric in ${query.expr}`);
      for (const name of names) assert.ok(known.has(name), `${query.panelTitle} ${query.refId}: unknown metric ${name}`);
    }
  });

  it('has queries that parse as PromQL (promtool)', function () {
    skipWithoutPromtool.call(this);
    const queries = dashboardQueries(dashboard, { account: 'main.shop' });
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    try {
      const file = join(dir, 'dashboard.rules.yml');
      const rules = queries.map((query, index) => ({ record: `dashboard_query_${index}`, expr: query.expr }));
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const { status, output } = promtool(['check', 'rules', file]);
      assert.equal(status, 0, output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('substituteVariables', () => {
  it('replaces the account, intervals and ranges, escaping an account for a regex matcher', () => {
    assert.equal(
      substituteVariables('rate(x{account=~"$account"}[$__rate_interval]) + y{account=~"${account}"}[$__interval] offset $__range'),
      'rate(x{account=~".*"}[5m]) + y{account=~".*"}[1m] offset 1d',
    );
    assert.equal(substituteVariables('x{account=~"$account"}', { account: 'main.shop' }), 'x{account=~"main\\\\.shop"}');
  });

  it('refuses a variable it does not know', () => {
    assert.throws(() => substituteVariables('x{shard=~"$shard"}'), /\$shard/);
  });
});

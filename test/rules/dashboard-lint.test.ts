import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { applyExclusions, lintDashboard, panelsOf, type LintConfig, type LintDashboard, type LintPanel } from './dashboard-lint.js';
import { HOUR_PANEL_QUERIES } from '../../scripts/hour-panels.js';
import { DASHBOARD_PATH } from './dashboard-queries.js';
import { readFileSync } from 'node:fs';

const load = (): LintDashboard => JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as LintDashboard;
/** grafana/.lint: dashboard-linter's exclusions file, the real linter reads it too. */
const CONFIG = parse(readFileSync(new URL('../../grafana/.lint', import.meta.url), 'utf8')) as LintConfig;
const lint = (d: LintDashboard): ReturnType<typeof lintDashboard> => applyExclusions(lintDashboard(d), CONFIG);

/** The rules that fire on a copy of the dashboard changed by `change`. */
function rulesAfter(change: (d: LintDashboard) => void): string[] {
  const d = load();
  change(d);
  return [...new Set(lint(d).map((p) => p.rule))].sort();
}

/** The first panel of `type`, to be changed in place. */
function firstPanel(d: LintDashboard, type: string): LintPanel & Record<string, unknown> {
  const p = panelsOf(d.panels).find((x) => x.type === type);
  assert.ok(p, type);
  return p as LintPanel & Record<string, unknown>;
}

function setExpr(d: LintDashboard, expr: string): void {
  const target = firstPanel(d, 'timeseries').targets?.[0] as { expr: string };
  target.expr = expr;
}

describe('dashboard-linter rules (ported)', () => {
  it('find nothing in the dashboard with grafana/.lint: no error, no warning', () => {
    assert.deepEqual(lint(load()), []);
  });

  it('exclude only the History panels, the hour panels (their history fallback) and the typical week, and only from the job and instance rules', () => {
    const excluded = lintDashboard(load());
    assert.deepEqual([...new Set(excluded.map((p) => p.rule))].sort(), ['target-instance-rule', 'target-job-rule']);
    assert.ok(
      excluded.every(
        (p) =>
          p.panel?.startsWith('History: ') || (p.panel ?? '') in HOUR_PANEL_QUERIES || p.panel === 'Reference day against its typical week',
      ),
      excluded.map((p) => p.panel).join(', '),
    );
  });

  const J = 'job=~"$job", instance=~"$instance"';
  const cases: [string, (d: LintDashboard) => void, string[]][] = [
    ['an editable dashboard', (d) => Object.assign(d, { editable: true }), ['uneditable-dashboard']],
    [
      'a query without job and instance matchers',
      (d) => setExpr(d, 'wechat_interface_day_callbacks'),
      ['target-instance-rule', 'target-job-rule'],
    ],
    [
      'job matched with = instead of =~',
      (d) => setExpr(d, `wechat_interface_day_callbacks{job="$job", instance=~"$instance"}`),
      ['target-job-rule'],
    ],
    ['rate over a fixed range', (d) => setExpr(d, `rate(wechat_exporter_api_requests_total{${J}}[5m])`), ['target-rate-interval-rule']],
    ['a counter not in rate or increase', (d) => setExpr(d, `wechat_exporter_api_requests_total{${J}}`), ['target-counter-agg-rule']],
    ['a query that is not PromQL', (d) => setExpr(d, `sum(wechat_interface_day_callbacks{${J}}`), ['target-promql-rule']],
    [
      'a panel on a fixed data source',
      (d) => Object.assign(firstPanel(d, 'timeseries'), { datasource: { type: 'prometheus', uid: 'prod' } }),
      ['panel-datasource-rule'],
    ],
    [
      'a panel without description',
      (d) => Object.assign(firstPanel(d, 'timeseries'), { description: '' }),
      ['panel-title-description-rule'],
    ],
    [
      'a panel without unit',
      (d) => Object.assign(firstPanel(d, 'timeseries'), { fieldConfig: { defaults: {}, overrides: [] } }),
      ['panel-units-rule'],
    ],
    ['a panel without targets', (d) => Object.assign(firstPanel(d, 'timeseries'), { targets: undefined }), ['panel-no-targets-rule']],
    [
      'no job variable',
      (d) => Object.assign(d.templating, { list: d.templating.list.filter((t) => t.name !== 'job') }),
      ['template-job-rule'],
    ],
    [
      'an instance variable that matches empty values',
      (d) => Object.assign(d.templating.list.find((t) => t.name === 'instance') ?? {}, { allValue: '.*' }),
      ['template-instance-rule'],
    ],
    [
      'a variable not reloaded on time change',
      (d) => Object.assign(d.templating.list.find((t) => t.name === 'account') ?? {}, { refresh: 1 }),
      ['template-on-time-change-reload-rule'],
    ],
    [
      'a variable query that does not parse',
      (d) => Object.assign(d.templating.list.find((t) => t.name === 'account') ?? {}, { query: 'label_values(up{, account)' }),
      ['template-label-promql-rule'],
    ],
  ];
  for (const [what, change, rules] of cases) {
    it(`catch ${what}`, () => {
      assert.deepEqual(rulesAfter(change), rules);
    });
  }
});

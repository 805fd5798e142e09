/**
 * Reads the Grafana dashboard and lists every panel query with Grafana's variables substituted,
 * so tests can check the queries statically and run them through a real Prometheus.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = fileURLToPath(new URL('../../grafana/wechat-interface-exporter.json', import.meta.url));

/** The parts of a Grafana panel the tests look at (the JSON has many more). */
export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string } | null;
  readonly gridPos?: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly fieldConfig?: {
    readonly defaults?: Readonly<Record<string, unknown>> & { readonly unit?: string };
    readonly overrides?: readonly { readonly properties: readonly { readonly id: string; readonly value?: unknown }[] }[];
  };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly repeat?: string;
  readonly collapsed?: boolean;
}

export interface Target {
  readonly refId: string;
  readonly expr?: string;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: string;
  readonly legendFormat?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly tags?: readonly string[];
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Readonly<Record<string, unknown>>[] };
  readonly [key: string]: unknown;
}

export function loadDashboard(path: string = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every panel, rows included, with the panels of collapsed rows (nested in `row.panels`) too. */
export function allPanels(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const panel of dashboard.panels) {
    out.push(panel);
    for (const nested of panel.panels ?? []) out.push(nested);
  }
  return out;
}

export interface SubstituteOptions {
  /** Replaces `$account`; a plain account name is regex-escaped as Grafana does. Default: all accounts (`.*`). */
  readonly account?: string;
}

/** `$job` and `$instance` as Grafana sends them with All selected: their `allValue`. */
const ALL_TARGETS = '.+';

// Grafana escapes a single value for a Prometheus regex matcher like this (prometheusSpecialRegexEscape):
// regex metacharacters get a backslash, written doubled inside the PromQL string literal.
function escapeForRegexMatcher(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/**
 * Substitutes the dashboard's variables the way Grafana would for a query: `$account` (all forms), `$job` and `$instance` (All),
 * `$datasource` (removed), `$__rate_interval` → 5m, `$__interval` → 1m, `$__range` → 1d.
 * Throws if a variable is left, so a new variable cannot slip past the tests unnoticed.
 */
export function substituteVariables(expr: string, options: SubstituteOptions = {}): string {
  const account = options.account === undefined ? '.*' : escapeForRegexMatcher(options.account);
  const out = expr
    .replace(/\$\{account(?::[a-z]+)?\}|\[\[account\]\]|\$account\b/g, () => account)
    .replace(/\$\{datasource\}|\$datasource\b/g, '')
    .replace(/\$\{job\}|\$job\b|\$\{instance\}|\$instance\b/g, ALL_TARGETS)
    .replace(/\$\{?__rate_interval\}?/g, '5m')
    .replace(/\$\{?__interval_ms\}?/g, '60000')
    .replace(/\$\{?__interval\}?/g, '1m')
    .replace(/\$\{?__range_ms\}?/g, '86400000')
    .replace(/\$\{?__range_s\}?/g, '86400')
    .replace(/\$\{?__range\}?/g, '1d');
  const left = /\$\{?\w+|\[\[\w+\]\]/.exec(out);
  if (left) throw new Error(`unknown Grafana variable ${left[0]} in query: ${expr}`);
  return out;
}

/**
 * The series selector of a `label_values(selector, label)` variable, with `$job`/`$instance` as All and
 * the given variables substituted as Grafana sends them (a list of values becomes `(a|b)`, escaped);
 * Prometheus answers it with the series whose `label` values Grafana lists.
 */
export function variableSelector(
  name: string,
  values: Readonly<Record<string, string | readonly string[]>>,
  dashboard: Dashboard = loadDashboard(),
): string {
  const variable = dashboard.templating.list.find((v) => v['name'] === name);
  const query = variable?.['query'] as { query?: string } | string | undefined;
  const text = typeof query === 'string' ? query : query?.query;
  const m = /^label_values\((.+),\s*[\w$]+\)$/.exec(text ?? '');
  if (!m) throw new Error(`variable ${name}: not a label_values(selector, label) query: ${String(text)}`);
  let selector = (m[1] as string).replace(/\$\{job\}|\$job\b|\$\{instance\}|\$instance\b/g, ALL_TARGETS);
  for (const [variableName, value] of Object.entries(values)) {
    const text = typeof value === 'string' ? value : `(${value.map(escapeForRegexMatcher).join('|')})`;
    selector = selector.replace(new RegExp(`\\$\\{${variableName}\\}|\\$${variableName}\\b`, 'g'), text);
  }
  const left = /\$\{?\w+/.exec(selector);
  if (left) throw new Error(`variable ${name}: ${left[0]} not given in ${selector}`);
  return selector;
}

/** Queries of the typical week (the baseline rules' recorded series): empty until a week of hourly snapshots exists. */
export const NEEDS_A_WEEK = /:median_7d|:wechat_interface_baseline_days:/;

export interface DashboardQuery {
  readonly panelId: number;
  readonly panelTitle: string;
  readonly refId: string;
  /** The query as written in the dashboard. */
  readonly rawExpr: string;
  /** The query with the variables substituted: valid PromQL. */
  readonly expr: string;
  /** Grafana runs it as an instant query (tables, hour bar charts) rather than a range query. */
  readonly instant: boolean;
  readonly legendFormat: string | undefined;
  /** The title of the row the panel sits in ('' above the first row). */
  readonly rowTitle: string;
}

/** The row each panel sits in: after a row in `panels`, or nested in a collapsed row. */
function rowTitles(dashboard: Dashboard): Map<Panel, string> {
  const out = new Map<Panel, string>();
  let row = '';
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') row = panel.title;
    out.set(panel, row);
    for (const nested of panel.panels ?? []) out.set(nested, panel.title);
  }
  return out;
}

/** The collapsed row whose panels show backfilled history (proven by test/backfill/promtool-e2e.test.ts). */
export const HISTORY_ROW = 'History (backfilled)';

/** Every Prometheus query of every panel (including panels in collapsed rows), variables substituted. */
export function dashboardQueries(dashboard: Dashboard = loadDashboard(), options: SubstituteOptions = {}): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const rows = rowTitles(dashboard);
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (target.expr === undefined) continue;
      out.push({
        panelId: panel.id,
        panelTitle: panel.title,
        refId: target.refId,
        rawExpr: target.expr,
        expr: substituteVariables(target.expr, options),
        instant: target.instant === true && target.range !== true,
        legendFormat: target.legendFormat,
        rowTitle: rows.get(panel) ?? '',
      });
    }
  }
  return out;
}

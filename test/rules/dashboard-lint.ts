/**
 * grafana/dashboard-linter's rules (lint/rule_*.go, read at commit 4d0844b of June 2026), ported
 * so that `npm test` applies them without the Go binary. Each function keeps the upstream rule's
 * name and logic; the PromQL ones read queries with Prometheus' lezer grammar instead of the Go
 * parser. The LogQL rules are left out: the dashboard has no Loki data source.
 */
import { selectorsOf, syntaxErrors } from './promql.js';

export interface LintPanel {
  readonly id?: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: unknown;
  readonly targets?: readonly { readonly refId?: string; readonly expr?: string; readonly hide?: boolean }[];
  readonly panels?: readonly LintPanel[];
  readonly fieldConfig?: {
    readonly defaults?: { readonly unit?: string; readonly mappings?: readonly unknown[] };
    readonly overrides?: readonly { readonly properties: readonly { readonly id: string; readonly value?: unknown }[] }[];
  };
}

export interface LintTemplate {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
  readonly query?: unknown;
  readonly datasource?: unknown;
  readonly multi?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
}

export interface LintDashboard {
  readonly editable?: boolean;
  readonly panels: readonly LintPanel[];
  readonly templating: { readonly list: readonly LintTemplate[] };
}

export interface LintProblem {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** The panel's title, for panel and target rules. */
  readonly panel?: string | undefined;
}

/** lint/configuration.go: the `.lint` file's exclusions, by rule; an entry matches by panel title. */
export interface LintConfig {
  readonly exclusions?: Readonly<
    Record<string, { readonly reason?: string; readonly entries?: readonly { readonly panel?: string }[] } | null>
  >;
}

/** The problems left after the exclusions (a rule listed without entries is excluded everywhere, as upstream). */
export function applyExclusions(problems: readonly LintProblem[], config: LintConfig): LintProblem[] {
  return problems.filter((p) => {
    const rule = config.exclusions?.[p.rule];
    if (rule === undefined) return true;
    const entries = rule?.entries ?? [];
    return entries.length > 0 && !entries.some((e) => e.panel === undefined || e.panel === p.panel);
  });
}

// lint/constants.go and the panel type lists of the rules.
const QUERY_PANELS = ['singlestat', 'gauge', 'table', 'stat', 'state-timeline', 'timeseries'];
const DESCRIBED_PANELS = ['stat', 'singlestat', 'graph', 'table', 'timeseries', 'gauge'];
const DATASOURCE_PANELS = ['singlestat', 'graph', 'table', 'timeseries'];

// lint/variables.go: sample values the linter puts in place of Grafana's global variables.
const GLOBALS: Readonly<Record<string, string>> = {
  __rate_interval: '8869990787ms',
  __interval: '4867856611ms',
  __interval_ms: '7781188786',
  __range_ms: '6737667980',
  __range_s: '9397795485',
  __range: '6069770749ms',
  __auto: '12345ms',
};
const RATE_INTERVAL = GLOBALS['__rate_interval'];

// A subset of lint/rule_panel_units.go's valid units (Grafana's value formats): every category
// a dashboard of this exporter can use. A unit outside it fails here, as upstream it might not.
const UNITS = new Set(
  (
    'none string short percent percentunit locale bytes decbytes bits decbits Bps bps pps ' +
    'dateTimeAsIso dateTimeAsIsoNoDateIfToday dateTimeAsUS dateTimeAsUSNoDateIfToday dateTimeAsLocal dateTimeAsLocalNoDateIfToday dateTimeAsSystem dateTimeFromNow ' +
    'hertz ns µs ms s m h d dtdurationms dtdurations dthms dtdhms timeticks clockms clocks ' +
    'cps ops reqps rps wps iops cpm opm rpm wpm mps mpm bool bool_yes_no bool_on_off'
  ).split(' '),
);

/** lint/lint.go GetPanels: every panel, those nested in rows too. */
export function panelsOf(panels: readonly LintPanel[]): LintPanel[] {
  return panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

/** lint/variables.go expandVariables: variables outside double-quoted strings get sample values. */
export function expandVariables(expr: string): string {
  return expr
    .split('"')
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/\$(\w+)|\$\{([^}]+)\}|\[\[([^[\]]+)\]\]/g, (_m, a?: string, b?: string, c?: string) => {
            const name = (a ?? b ?? c ?? '').split(':')[0] ?? '';
            return GLOBALS[name] ?? (name.startsWith('__auto_interval') ? '10s' : name);
          }),
    )
    .join('"');
}

/** `up{a="x", b="y"}, label` → `up{a="x", b="y"}`: the text before the first comma outside brackets and strings. */
function beforeTopLevelComma(text: string): string {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && '({['.includes(c ?? '')) depth++;
    else if (!quoted && ')}]'.includes(c ?? '')) depth--;
    else if (!quoted && depth === 0 && c === ',') return text.slice(0, i);
  }
  return text;
}

function uidOf(datasource: unknown): string {
  if (typeof datasource === 'string') return datasource;
  if (datasource && typeof datasource === 'object' && 'uid' in datasource) return String(datasource.uid);
  return '';
}

function queryText(t: LintTemplate): string {
  if (typeof t.query === 'string') return t.query;
  if (t.query && typeof t.query === 'object' && 'query' in t.query) return String(t.query.query);
  return '';
}

type Report = (rule: string, message: string, severity?: 'error' | 'warning') => void;

/** template-datasource-rule, template-job-rule, template-instance-rule, template-label-promql-rule, template-on-time-change-reload-rule, uneditable-dashboard. */
function dashboardRules(d: LintDashboard, report: Report): void {
  const list = d.templating.list;
  const datasources = list.filter((t) => t.type === 'datasource');
  if (datasources.length === 0) report('template-datasource-rule', 'does not have a templated data source');
  for (const ds of datasources) {
    const q = String(ds.query ?? '').toLowerCase();
    const single = datasources.length === 1;
    if (!(ds.name === `${q}_datasource` || (single && ds.name === 'datasource')))
      report('template-datasource-rule', `templated data source variable named '${ds.name}'`);
    const title = `${q.charAt(0).toUpperCase()}${q.slice(1)} data source`;
    if (!(ds.label === title || (single && ds.label === 'Data source')))
      report('template-datasource-rule', `labeled '${ds.label}'`, 'warning');
  }
  const prometheus = datasources[0]?.query === 'prometheus';
  if (prometheus) {
    for (const name of ['job', 'instance']) checkTemplate(list, name, (m, s) => report(`template-${name}-rule`, m, s));
    for (const t of list.filter((v) => v.type === 'query')) {
      const tokens = /([a-z_]+)\((.+)\)/.exec(queryText(t));
      if (!tokens) report('template-label-promql-rule', `template '${t.name}' invalid 'query': ${queryText(t)}`);
      else if (!['label_names', 'label_values', 'metrics', 'query_result'].includes(tokens[1] ?? '')) {
        report('template-label-promql-rule', `template '${t.name}' invalid 'function': ${tokens[1]}`);
      } else {
        // Upstream accepts a partial parse (the Go parser returns the expression before `, label`).
        const first = beforeTopLevelComma(expandVariables(tokens[2] ?? ''));
        const errors = syntaxErrors(first);
        if (errors.length)
          report('template-label-promql-rule', `template '${t.name}' invalid templated label '${queryText(t)}': ${errors[0]}`);
      }
    }
  }
  for (const t of list.filter((v) => v.type === 'query')) {
    if (t.refresh !== 2)
      report('template-on-time-change-reload-rule', `variable '${t.name}' refresh is ${t.refresh}, should be 2 (on time range change)`);
  }
  if (d.editable) report('uneditable-dashboard', "is editable, it should be set to 'editable: false'");
}

/** lint/rule_template_job.go checkTemplate. */
function checkTemplate(list: readonly LintTemplate[], name: string, report: (m: string, s?: 'warning') => void): void {
  const t = list.find((v) => v.name === name);
  if (!t) return report(`is missing the ${name} template`);
  const uid = uidOf(t.datasource);
  if (!['$datasource', '${datasource}', '$prometheus_datasource', '${prometheus_datasource}'].includes(uid)) {
    report(`${name} template should use datasource '$datasource', is currently '${uid}'`);
  }
  if (t.type !== 'query') report(`${name} template should be a Prometheus query, is currently '${t.type}'`);
  const label = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  if (t.label !== label) report(`${name} template should be a labeled '${label}', is currently '${t.label}'`, 'warning');
  if (!t.multi) report(`${name} template should be a multi select`);
  if (t.allValue !== '.+') report(`${name} template allValue should be '.+', is currently '${t.allValue}'`);
}

function unitOf(p: LintPanel): string {
  let unit = '';
  for (const o of p.fieldConfig?.overrides ?? []) for (const prop of o.properties) if (prop.id === 'unit') unit = String(prop.value);
  return unit || p.fieldConfig?.defaults?.unit || '';
}

/** panel-datasource-rule, panel-title-description-rule, panel-units-rule, panel-no-targets-rule. */
function panelRules(d: LintDashboard, p: LintPanel, report: Report): void {
  const datasources = d.templating.list.filter((t) => t.type === 'datasource').flatMap((t) => [`$${t.name}`, `\${${t.name}}`]);
  if (DATASOURCE_PANELS.includes(p.type) && !datasources.includes(uidOf(p.datasource))) {
    report('panel-datasource-rule', `does not use a templated datasource, uses '${uidOf(p.datasource)}'`);
  }
  if (!DESCRIBED_PANELS.includes(p.type)) return;
  if (!p.title || !p.description) report('panel-title-description-rule', 'has missing title or description');
  const mapped =
    (p.fieldConfig?.defaults?.mappings ?? []).length > 0 ||
    (p.fieldConfig?.overrides ?? []).some((o) => o.properties.some((x) => x.id === 'mappings' && x.value));
  if (!mapped && !UNITS.has(unitOf(p))) report('panel-units-rule', `has no or invalid units defined: '${unitOf(p)}'`);
  if (p.targets === undefined) report('panel-no-targets-rule', 'has no targets');
}

/** target-promql-rule, target-rate-interval-rule, target-job-rule, target-instance-rule, target-counter-agg-rule. */
function targetRules(p: LintPanel, expr: string, report: Report): void {
  const expanded = expandVariables(expr);
  const errors = syntaxErrors(expanded);
  if (errors.length) {
    if (QUERY_PANELS.includes(p.type)) report('target-promql-rule', `invalid PromQL query '${expr}': ${errors[0]}`);
    return;
  }
  for (const s of selectorsOf(expanded)) {
    for (const label of ['job', 'instance']) {
      const m = s.matchers.find((x) => x.label === label);
      if (!m || m.op !== '=~' || m.value !== `$${label}`)
        report(`target-${label}-rule`, `invalid PromQL query '${expr}': ${label} selector is not =~ "$${label}"`);
    }
    if (
      QUERY_PANELS.includes(p.type) &&
      s.range !== undefined &&
      s.range !== RATE_INTERVAL &&
      ['rate', 'irate'].includes(s.rangeFunction ?? '')
    ) {
      report('target-rate-interval-rule', `invalid PromQL query '${expr}': should use $__rate_interval`);
    }
    if (s.name.endsWith('_total') && !['rate', 'irate', 'increase'].includes(s.rangeFunction ?? '')) {
      report('target-counter-agg-rule', `counter metric '${s.name}' is not aggregated with rate, irate, or increase`);
    }
  }
}

/** Every problem the ported rules find; an empty list is a clean dashboard. */
export function lintDashboard(d: LintDashboard): LintProblem[] {
  const problems: LintProblem[] = [];
  const at =
    (where: string, panel?: string): Report =>
    (rule, message, severity = 'error') =>
      problems.push({ rule, severity, message: `${where}${message}`, panel });
  dashboardRules(d, at('dashboard: '));
  for (const p of panelsOf(d.panels)) {
    panelRules(d, p, at(`panel '${p.title}': `, p.title));
    for (const t of p.targets ?? []) if (t.expr && !t.hide) targetRules(p, t.expr, at(`panel '${p.title}' ${t.refId ?? ''}: `, p.title));
  }
  return problems;
}

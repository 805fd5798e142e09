// What helm renders, checked as objects rather than as template text: the PrometheusRule's
// adjustments (ci/full-values.yaml disables an alert, adds labels, rebases the runbook, replaces the
// job matcher, appends a rule) against the single source of the rules, the result through promtool,
// the dashboard ConfigMap, and the pod's security context.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { requireTool } from '../helpers/tools.js';
import { CHART, CI_DIR, type KubeObject, renderChart } from './helm.js';

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface Group {
  readonly name: string;
  readonly rules: readonly Rule[];
}

const full = parse(readFileSync(join(CI_DIR, 'full-values.yaml'), 'utf8')) as {
  prometheusRule: { disabled: Record<string, boolean>; additionalRuleLabels: Record<string, string>; runbookUrl: string; jobSelector: string };
};
const source = parse(readFileSync(join(CHART, 'files/wechat-interface-exporter.rules.yml'), 'utf8')) as { groups: Group[] };

const only = (objects: readonly KubeObject[], kind: string): KubeObject => {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected, got ${found.length}`);
  return found[0] as KubeObject;
};

describe('helm chart: rendered objects (ci/full-values.yaml)', () => {
  const objects = (): readonly KubeObject[] => renderChart({ values: ['full-values.yaml'] });
  const groups = (): Group[] => (only(objects(), 'PrometheusRule').spec as { groups: Group[] }).groups;
  const alerts = (gs: readonly Group[]): Rule[] => gs.flatMap((g) => g.rules).filter((r) => r.alert);
  const { disabled, additionalRuleLabels, runbookUrl, jobSelector } = full.prometheusRule;

  it('PrometheusRule: the source groups in order, a disabled alert left out, the additional rules last', () => {
    const names = groups().map((g) => g.name);
    assert.deepEqual(names, [...source.groups.map((g) => g.name), 'wechat-interface-exporter.additional']);
    const rendered = new Set(alerts(groups()).map((r) => r.alert));
    for (const alert of Object.keys(disabled)) assert.ok(!rendered.has(alert), `${alert} is disabled but rendered`);
    const expected = alerts(source.groups).filter((r) => !disabled[r.alert ?? '']);
    assert.equal(alerts(groups()).length, expected.length + 1);
  });

  it('PrometheusRule: every alert gets the extra labels (its own win), the runbook base, and keeps its Prometheus templates', () => {
    const rendered = new Map(groups().map((g) => [g.name, g.rules]));
    for (const group of source.groups) {
      // Rule by rule in order: two alerts may share a name (one per window).
      const kept = group.rules.filter((r) => !disabled[r.alert ?? '']);
      const out = rendered.get(group.name) ?? [];
      assert.equal(out.length, kept.length, `${group.name}: rule count`);
      kept.forEach((original, i) => {
        const rule = out[i] as Rule;
        const what = `${group.name} ${original.alert ?? original.record}`;
        assert.equal(rule.alert ?? rule.record, original.alert ?? original.record, what);
        if (!original.alert) return assert.deepEqual(rule, original, `${what}: recording rules are not adjusted`);
        assert.deepEqual(rule.labels, { ...additionalRuleLabels, ...original.labels }, `${what} labels`);
        for (const [key, text] of Object.entries(original.annotations ?? {})) {
          if (key === 'runbook_url') assert.equal(rule.annotations?.[key], `${runbookUrl}#${text.split('#').pop()}`, `${what} runbook_url`);
          else assert.equal(rule.annotations?.[key], text, `${what} ${key} must reach Prometheus unchanged`);
        }
      });
    }
  });

  it('PrometheusRule: the job matcher of WechatExporterDown is the jobSelector', () => {
    const down = alerts(groups()).find((r) => r.alert === 'WechatExporterDown');
    assert.ok(down, 'WechatExporterDown is rendered');
    assert.ok(down.expr.includes(jobSelector), down.expr);
    assert.doesNotMatch(down.expr, /job=~/);
  });

  it('PrometheusRule: its groups pass promtool check rules', function () {
    const promtool = requireTool(this, 'promtool');
    const dir = mkdtempSync(join(tmpdir(), 'wie-rendered-rules-'));
    try {
      const file = join(dir, 'rules.yml');
      writeFileSync(file, stringify({ groups: groups() }));
      execFileSync(promtool, ['check', 'rules', file], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the dashboard ConfigMap holds the dashboard JSON unchanged, in its namespace, with the sidecar label', () => {
    const dashboard = objects().find((o) => o.kind === 'ConfigMap' && JSON.stringify(o.metadata).includes('grafana_dashboard'));
    assert.ok(dashboard, 'no dashboard ConfigMap');
    const meta = dashboard.metadata as { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    assert.equal(meta.namespace, 'monitoring');
    assert.equal(meta.labels['grafana_dashboard'], '1');
    assert.equal(meta.annotations['grafana_folder'], 'WeChat');
    const data = Object.values(dashboard.data as Record<string, string>);
    // A `|-` block: the file's text, less its final newline.
    assert.deepEqual(data, [readFileSync(join(CHART, 'files/wechat-interface-exporter.json'), 'utf8').replace(/\n$/, '')]);
  });

  it('the pod runs as uid 1000, read-only root, no capabilities, no service account token', () => {
    const pod = (only(objects(), 'Deployment').spec as { template: { spec: Record<string, any> } }).template.spec;
    const container = pod.containers[0];
    assert.equal(pod.securityContext.runAsUser, 1000);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    assert.deepEqual(
      container.volumeMounts.filter((m: { mountPath: string }) => ['/data', '/tmp'].includes(m.mountPath)).map((m: { name: string }) => m.name),
      ['data', 'tmp'],
    );
  });
});

describe('helm chart: rendered objects (shards, web config)', () => {
  it('ci/shards-values.yaml: a StatefulSet of 3, each pod --shard=auto/3 with its own claim; a headless Service the ServiceMonitor does not select', () => {
    const objects = renderChart({ values: ['shards-values.yaml'] });
    const set = only(objects, 'StatefulSet').spec as Record<string, any>;
    assert.equal(set.replicas, 3);
    assert.ok(set.template.spec.containers[0].args.includes('--shard=auto/3'));
    assert.deepEqual(
      set.volumeClaimTemplates.map((t: { metadata: { name: string } }) => t.metadata.name),
      ['data'],
    );
    assert.ok(!set.template.spec.volumes.some((v: { name: string }) => v.name === 'data'), 'data comes from the claim template');
    const services = objects.filter((o) => o.kind === 'Service');
    const headless = services.filter((o) => (o.spec as { clusterIP?: string }).clusterIP === 'None');
    assert.equal(headless.length, 1);
    assert.equal(set.serviceName, (headless[0]?.metadata as { name: string }).name);
    const selector = ((only(objects, 'ServiceMonitor').spec as Record<string, any>).selector.matchLabels ?? {}) as Record<string, string>;
    const selected = services.filter((svc) => Object.entries(selector).every(([k, v]) => (svc.metadata as any).labels?.[k] === v));
    assert.deepEqual(
      selected.map((svc) => (svc.spec as { clusterIP?: string }).clusterIP),
      [undefined],
      'the ServiceMonitor selects the one regular Service',
    );
  });

  it('ci/web-config-values.yaml: --web.config.file, tcpSocket probes, an HTTPS scrape with basic auth, the web config in a Secret', () => {
    const objects = renderChart({ values: ['web-config-values.yaml'] });
    const container = (only(objects, 'Deployment').spec as Record<string, any>).template.spec.containers[0];
    assert.ok(container.args.some((a: string) => a.startsWith('--web.config.file=')), container.args.join(' '));
    assert.deepEqual(container.livenessProbe.tcpSocket, { port: 'http' });
    assert.deepEqual(container.readinessProbe.tcpSocket, { port: 'http' });
    const endpoint = (only(objects, 'ServiceMonitor').spec as Record<string, any>).endpoints[0];
    assert.equal(endpoint.scheme, 'https');
    assert.equal(endpoint.basicAuth.password.name, 'wechat-exporter-scrape');
    const secrets = objects.filter((o) => o.kind === 'Secret' && 'web-config.yml' in ((o.data as object | undefined) ?? {}));
    assert.equal(secrets.length, 1, 'the inline web config goes to a Secret');
    assert.ok(!objects.some((o) => o.kind === 'ConfigMap' && JSON.stringify(o.data).includes('basic_auth_users')), 'never to a ConfigMap');
  });
});

// Every object the chart renders, for every ci/ values file, validated against the Kubernetes and
// prometheus-operator schemas; and proof that the validation catches a bad value, naming the field.
import assert from 'node:assert/strict';
import { ciValueFiles, describeObject, type KubeObject, renderChart } from './helm.js';
import { kubeSchemaProblems, modelCount } from './kube-schemas.js';

const problemsOf = (objects: readonly KubeObject[]): string[] => objects.flatMap(kubeSchemaProblems);

describe('helm chart: rendered objects against the Kubernetes and prometheus-operator schemas', () => {
  it('has a schema for the core, apps, policy, networking and monitoring.coreos.com kinds', () => {
    assert.ok(modelCount() > 200, `only ${modelCount()} models indexed`);
    const kinds: [string, string][] = [
      ['v1', 'ConfigMap'],
      ['apps/v1', 'StatefulSet'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['monitoring.coreos.com/v1', 'PrometheusRule'],
    ];
    for (const [apiVersion, kind] of kinds) {
      const problems = kubeSchemaProblems({ apiVersion, kind, metadata: { name: 'x' } });
      assert.ok(problems.every((p) => !p.includes('no schema')), `${apiVersion} ${kind}: ${problems.join('; ')}`);
    }
  });

  for (const file of ciValueFiles()) {
    it(`ci/${file}: every rendered object is valid`, () => {
      const objects = renderChart({ values: [file] });
      assert.ok(objects.length >= 2, `only ${objects.map(describeObject).join(', ')}`);
      assert.deepEqual(problemsOf(objects), []);
    });
  }

  describe('a seeded bad value is caught, naming the field', () => {
    it('a CPU limit that is no quantity (--set resources.limits.cpu=lots; values.schema.json lets it through)', () => {
      const objects = renderChart({ values: ['demo-values.yaml'], flags: ['--set', 'resources.limits.cpu=lots'] });
      const problems = problemsOf(objects);
      assert.ok(
        problems.some((p) => /^Deployment\/ci-wechat-interface-exporter: spec\/template\/spec\/containers\/0\/resources\/limits\/cpu must match format "quantity"/.test(p)),
        problems.join('\n'),
      );
      assert.ok(problems.every((p) => p.startsWith('Deployment/')), 'only the Deployment is wrong');
    });

    it('an extra volume without a name (--set-json extraVolumes)', () => {
      const objects = renderChart({ values: ['demo-values.yaml'], flags: ['--set-json', 'extraVolumes=[{"emptyDir":{}}]'] });
      const problems = problemsOf(objects);
      assert.ok(
        problems.some((p) => /spec\/template\/spec\/volumes\/2 must have required property name$/.test(p)),
        problems.join('\n'),
      );
    });

    it('a ServiceMonitor interval that is no duration, and a PrometheusRule without groups (rendered objects mutated)', () => {
      const objects = structuredClone(renderChart({ values: ['full-values.yaml'] })) as KubeObject[];
      const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as { spec: { endpoints: { interval?: string }[] } } | undefined;
      const rule = objects.find((o) => o.kind === 'PrometheusRule') as { spec: { groups?: unknown } } | undefined;
      assert.ok(monitor && rule, 'full-values.yaml renders a ServiceMonitor and a PrometheusRule');
      assert.deepEqual(problemsOf(objects), []);
      (monitor.spec.endpoints[0] ?? {}).interval = 'every minute';
      rule.spec.groups = 'none';
      const problems = problemsOf(objects);
      assert.ok(problems.some((p) => /^ServiceMonitor\/.*: spec\/endpoints\/0\/interval must match pattern/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /^PrometheusRule\/.*: spec\/groups must be array/.test(p)), problems.join('\n'));
    });

    it('an object of a kind with no schema', () => {
      assert.deepEqual(kubeSchemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), [
        'Widget/w: no schema for apiVersion example.com/v1 kind Widget',
      ]);
    });
  });
});

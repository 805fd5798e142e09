// The chart's web config values (exporter-toolkit's --web.config.file): schema, templates, and
// that the example inline web config is one the exporter accepts. Static checks: `helm template`
// of ci/web-config*-values.yaml runs in chart.test.ts, and rendered.test.ts checks what it renders.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, stringify } from 'yaml';
import { parseWebConfig } from '../../src/http/web-config/parse.js';

const CHART = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'helm/wechat-interface-exporter');
const read = (path: string): string => readFileSync(join(CHART, path), 'utf8');
type Values = Record<string, unknown>;

/** `over` merged into `base` as Helm merges values (maps deeply, anything else replaced). */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Values, v as Values) : v;
  }
  return out;
}

describe('helm chart: web config (TLS, basic auth)', () => {
  const defaults = parse(read('values.yaml')) as Values;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(read('values.schema.json')) as object);
  const withValues = (over: Values): boolean => validate(merge(defaults, over));
  const ciFile = parse(read('ci/web-config-values.yaml')) as Values;

  it('is off by default: no --web.config.file, HTTP probes and scrapes', () => {
    const web = (defaults['web'] as Values)['config'] as Values;
    assert.deepEqual(web['inline'], {});
    assert.equal(web['existingSecret'], '');
    assert.equal((defaults['serviceMonitor'] as Values)['scheme'], '');
  });

  it('the schema accepts the ci examples and refuses wrong web config values', () => {
    for (const file of ['ci/web-config-values.yaml', 'ci/web-config-existing-secret-values.yaml'])
      assert.ok(withValues(parse(read(file)) as Values), `${file}: ${JSON.stringify(validate.errors)}`);
    const refused: Values[] = [
      { web: { config: { probe: 'exec' } } },
      { web: { config: { scheme: 'ftp' } } },
      { web: { config: { inline: { basic_auth_users: { prometheus: 'plain-password' } } } } },
      { web: { config: { inline: { tls_config: {} } } } },
      { web: { config: { secret: 'x' } } },
      { serviceMonitor: { scheme: 'HTTPS' } },
      { serviceMonitor: { basicAuth: { user: {} } } },
    ];
    for (const over of refused) assert.equal(withValues(over), false, `accepted ${JSON.stringify(over)}`);
  });

  it("the ci example's inline web config is one the exporter accepts (TLS and basic auth)", () => {
    const inline = ((ciFile['web'] as Values)['config'] as Values)['inline'];
    const spec = parseWebConfig(stringify(inline), '/etc/wechat-interface-exporter-web/web-config.yml');
    assert.deepEqual(spec.tls?.cert, { file: '/etc/wechat-interface-exporter-web/tls.crt' });
    assert.equal(spec.users.size, 1);
  });

  describe('templates', () => {
    const deployment = read('templates/deployment.yaml');
    const helpers = read('templates/_helpers.tpl');
    const secret = read('templates/web-config-secret.yaml');
    const monitor = read('templates/servicemonitor.yaml');

    it('passes --web.config.file when a web config is given, from the folder the Secrets are mounted in', () => {
      assert.match(
        deployment,
        /\{\{- if include "wie\.webConfigEnabled" \. \}\}\s*\n\s*- --web\.config\.file=\{\{ include "wie\.webConfigDir" \. \}\}\/\{\{ include "wie\.webConfigKey" \. \}\}/,
      );
      assert.match(helpers, /define "wie\.webConfigEnabled"[\s\S]*?or \.Values\.web\.config\.existingSecret \.Values\.web\.config\.inline/);
    });

    it('mounts the web config Secret and the TLS Secret in one projected volume, without subPath (updates reach the pod)', () => {
      const volume = /- name: web-config\s*\n\s*projected:[\s\S]*?sources:\s*\n\s*- secret:\s*\n\s*name: \{\{ \.Values\.web\.config\.existingSecret \| default \(printf "%s-web-config"[\s\S]*?\.Values\.web\.config\.tlsSecret/;
      assert.match(deployment, volume);
      assert.match(deployment, /- name: web-config\s*\n\s*mountPath: \{\{ include "wie\.webConfigDir" \. \}\}\s*\n\s*readOnly: true\s*\n\s*\{\{- end/);
    });

    it('renders web.config.inline into a Secret, not a ConfigMap, unless existingSecret is set', () => {
      assert.match(secret, /^\{\{- if and \.Values\.web\.config\.inline \(not \.Values\.web\.config\.existingSecret\) \}\}/);
      assert.match(secret, /kind: Secret/);
      assert.match(secret, /web-config\.yml: \{\{ toYaml \.Values\.web\.config\.inline \| b64enc \| quote \}\}/);
    });

    it('probes with tcpSocket while a web config protects every path, unless web.config.probe is httpGet', () => {
      assert.match(
        helpers,
        /if and \(include "wie\.webConfigEnabled" \$root\) \(eq \$root\.Values\.web\.config\.probe "tcpSocket"\) -\}\}\s*\ntcpSocket:\s*\n\s*port: http/,
      );
      assert.match(helpers, /scheme: \{\{ \$root\.Values\.web\.config\.scheme \}\}/);
    });

    it('the ServiceMonitor scrapes with scheme, tlsConfig and basicAuth', () => {
      assert.match(monitor, /scheme: \{\{ include "wie\.scrapeScheme" \. \}\}/);
      assert.match(monitor, /\{\{- with \.Values\.serviceMonitor\.tlsConfig \}\}\s*\n\s*tlsConfig:\s*\n\s*\{\{- toYaml \. \| nindent 8 \}\}/);
      assert.match(monitor, /\{\{- with \.Values\.serviceMonitor\.basicAuth \}\}\s*\n\s*basicAuth:\s*\n\s*\{\{- toYaml \. \| nindent 8 \}\}/);
      assert.match(helpers, /define "wie\.scrapeScheme"[\s\S]*?eq \.Values\.web\.config\.scheme "HTTPS"\) \}\}https/);
    });
  });
});

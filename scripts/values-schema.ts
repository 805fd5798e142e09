/**
 * The `config` part of the Helm chart's values.schema.json, generated from the exporter's own zod
 * schema (src/config/schema.ts) with z.toJSONSchema, so that a config rule is written once: the
 * exporter checks it when it loads its file, Helm when it installs the chart. `npm run
 * gen:schema` rewrites the file; test/helm/values-schema.test.ts fails when it is out of date.
 *
 * What the chart adds or relaxes, all here:
 * - accounts may also take `existingSecret: {name, key}`, a Secret the chart mounts as a file;
 * - `accounts` may be empty (demo: true) and `proxy` may be "" (values.yaml's "none");
 * - the rules zod checks in `superRefine` (one appsecret source; tokenFile / tokenUrl only with
 *   their token source) become if/then clauses built from the same constants.
 * Unique names and appids cannot be said in JSON Schema: _helpers.tpl checks those.
 */
import { z } from 'zod';
import { configSchema, SECRET_SOURCES, SECRET_TOKEN_SOURCES, TOKEN_SOURCE_FIELDS } from '../src/config/schema.js';

type Json = Record<string, unknown>;

const EXISTING_SECRET: Json = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'key'],
  description: 'A Secret you manage, mounted as the appsecret file.',
  properties: { name: { type: 'string', minLength: 1 }, key: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$' } },
};

/** `required` with its properties named beside it, as Ajv's strict mode (strictRequired) wants. */
function requires(...keys: string[]): Json {
  return { properties: Object.fromEntries(keys.map((k) => [k, {}])), required: keys };
}

/** Pairs of the secret sources, each pair refused together. */
function pairs<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}

/** superRefine's cross-field rules as JSON Schema (draft 7 if/then/else). */
function accountRules(secretSources: readonly string[]): Json[] {
  const rules: Json[] = pairs(secretSources).map(([a, b]) => ({ not: requires(a, b) }));
  rules.push({
    // No tokenSource means stable (the default).
    if: { properties: { tokenSource: { enum: [...SECRET_TOKEN_SOURCES] } } },
    then: { anyOf: secretSources.map((k) => requires(k)) },
  });
  for (const [source, field] of Object.entries(TOKEN_SOURCE_FIELDS)) {
    rules.push({
      if: { required: ['tokenSource'], properties: { tokenSource: { const: source } } },
      then: requires(field),
      else: { not: requires(field) },
    });
  }
  return rules;
}

/** The `config` schema and the `account` definition, as the chart's values take them. */
export function chartConfigSchema(): { config: Json; account: Json } {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }) as Json;
  delete generated['$schema'];
  const props = generated['properties'] as Record<string, Json>;
  const accounts = props['accounts'] as Json;
  const item = accounts['items'] as Json;
  delete accounts['minItems'];
  accounts['items'] = { $ref: '#/definitions/account' };
  const wechat = (props['wechat'] as Json)['properties'] as Record<string, Json>;
  wechat['proxy'] = { type: 'string', pattern: '^(https?://.+)?$', description: 'Proxy for calls to WeChat; "" for none.' };
  const account: Json = {
    ...item,
    properties: { ...(item['properties'] as Json), existingSecret: EXISTING_SECRET },
    allOf: accountRules([...SECRET_SOURCES, 'existingSecret']),
  };
  return { config: generated, account };
}

/** values.schema.json with its `config` and `account` parts replaced by the generated ones. */
export function renderValuesSchema(current: string): string {
  const schema = JSON.parse(current) as Json;
  const { config, account } = chartConfigSchema();
  (schema['properties'] as Json)['config'] = {
    ...config,
    description: 'The exporter config file (generated from src/config/schema.ts by npm run gen:schema).',
  };
  (schema['definitions'] as Json)['account'] = account;
  return `${JSON.stringify(schema, null, 2)}\n`;
}

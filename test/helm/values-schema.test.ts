import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { configSchema } from '../../src/config/schema.js';
import { renderValuesSchema } from '../../scripts/values-schema.js';
import { VALUES_SCHEMA } from '../../scripts/gen-values-schema-path.js';

const committed = readFileSync(VALUES_SCHEMA, 'utf8');
const schema = JSON.parse(committed) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
const values = (account: Record<string, unknown>): Record<string, unknown> => ({ config: { accounts: [account] } });

const APPID = 'wx0123456789abcdef';
/** Accounts the exporter's zod schema and the chart's JSON Schema must judge alike. */
const ACCOUNTS: Record<string, unknown>[] = [
  { name: 'a', appid: APPID, secretEnv: 'S' },
  { name: 'a', appid: APPID, secretFile: '/run/s' },
  { name: 'a', appid: APPID, secret: 'x', tokenSource: 'classic' },
  { name: 'a', appid: APPID },
  { name: 'a', appid: APPID, tokenSource: 'classic' },
  { name: 'a', appid: APPID, secretEnv: 'S', secret: 'x' },
  { name: 'a', appid: APPID, tokenSource: 'file', tokenFile: '/run/t' },
  { name: 'a', appid: APPID, tokenSource: 'file' },
  { name: 'a', appid: APPID, tokenSource: 'url', tokenUrl: 'http://tokens.internal/a' },
  { name: 'a', appid: APPID, tokenSource: 'url', tokenUrl: 'ftp://tokens.internal/a' },
  { name: 'a', appid: APPID, secretEnv: 'S', tokenUrl: 'http://tokens.internal/a' },
  { name: 'a', appid: APPID, secretEnv: 'S', tokenFile: '/run/t' },
  { name: 'a', appid: 'wx123', secretEnv: 'S' },
  { name: '-a', appid: APPID, secretEnv: 'S' },
  { name: 'a', appid: APPID, secretEnv: 'S', tokenSource: 'magic' },
  { name: 'a', appid: APPID, secretEnv: 'S', extra: 1 },
];

describe('values.schema.json generated from the config schema', () => {
  it('is up to date (npm run gen:schema)', () => {
    assert.equal(committed, renderValuesSchema(committed), 'run npm run gen:schema and commit the result');
  });

  for (const account of ACCOUNTS) {
    it(`judges ${JSON.stringify(account)} as the exporter does`, () => {
      const exporter = configSchema.safeParse({ accounts: [account] }).success;
      assert.equal(validate(values(account)), exporter, `the exporter says ${exporter ? 'valid' : 'invalid'}`);
    });
  }

  it('judges durations and URLs as the exporter does', () => {
    for (const wechat of [{ timeout: '10s' }, { timeout: '10' }, { timeout: '1.5s' }, { baseUrls: ['https://x'] }, { baseUrls: ['x'] }]) {
      const doc = { wechat, accounts: [{ name: 'a', appid: APPID, secretEnv: 'S' }] };
      assert.equal(validate({ config: doc }), configSchema.safeParse(doc).success, JSON.stringify(wechat));
    }
  });

  it('judges remote-write URLs as the exporter does (no credentials in them)', () => {
    for (const url of ['http://prometheus:9090/api/v1/write', 'http://u:p@prometheus:9090/api/v1/write', 'ftp://x/y']) {
      const doc = { remoteWrite: [{ url }], accounts: [{ name: 'a', appid: APPID, secretEnv: 'S' }] };
      assert.equal(validate({ config: doc }), configSchema.safeParse(doc).success, url);
    }
  });

  it('lets the chart take an existingSecret as the one appsecret source', () => {
    assert.ok(validate(values({ name: 'a', appid: APPID, existingSecret: { name: 's', key: 'k' } })));
    assert.equal(validate(values({ name: 'a', appid: APPID, existingSecret: { name: 's', key: 'k' }, secret: 'x' })), false);
  });
});

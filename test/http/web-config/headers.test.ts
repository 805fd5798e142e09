import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock.js';
import { listen, WebConfigSource } from '../../../src/http/web-config/index.js';
import { memoryLogger } from '../../../src/log.js';
import { Redactor } from '../../../src/redact.js';
import { WechatSimulator } from '../../../src/simulator/index.js';
import { SHOP, startExporter, tempDir, type Harness } from '../../helpers/exporter-harness.js';
import { ALICE, basic, FIXTURES, fixture, get, type Answer } from './helpers.js';

/** What exporter-toolkit's web_config_headers.good.yml configures, as a client reads it. */
const CONFIGURED = {
  'x-frame-options': 'deny',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1',
  'content-security-policy': "default-src 'self' *.test.example.net",
} as const;

function assertConfigured(res: Answer, what: string): void {
  for (const [name, value] of Object.entries(CONFIGURED)) assert.equal(res.headers[name], value, `${what}: ${name}`);
}

// Every path the app answers, the fast /metrics path (ahead of express) and the spellings express
// serves itself included, and a 404.
const PATHS = [
  ['/metrics', 200],
  ['/metrics?x=1', 200],
  ['/Metrics', 200],
  ['/', 200],
  ['/-/healthy', 200],
  ['/-/ready', 200],
  ['/api/v1/summary?account=shop&from=2026-03-09&to=2026-03-09', 200],
  ['/api/v1/summary?account=nobody', 400],
  ['/?sort=bogus', 400],
  ['/no/such/page', 404],
] as const;

describe('web config: the operator’s headers win over the exporter’s (web_config_headers.good.yml)', function () {
  this.timeout(30_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let server: Server | undefined;

  before(async () => {
    sim = new WechatSimulator({ accounts: [SHOP], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP] });
    await h.exporter.pollAll();
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });
  after(async () => {
    await h.close();
    await sim.close();
    tmp.remove();
  });

  /** The daemon's app (fast /metrics path included) behind the web config `file`. */
  async function serve(file: string): Promise<number> {
    const { logger } = memoryLogger(new Redactor());
    server = listen(h.app, { host: '127.0.0.1', port: 0 }, WebConfigSource.load(file), logger);
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  for (const [path, status] of PATHS) {
    it(`${path}: the configured values, and our defaults only for what the file leaves unset`, async () => {
      const port = await serve(join(FIXTURES, 'web_config_headers.good.yml'));
      const res = await get(port, path);
      assert.equal(res.status, status, res.body);
      assertConfigured(res, path);
      // Not in the file: the exporter's default still fills it.
      assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
    });
  }

  it('without a web config, our own values (the defaults above are really ours)', async () => {
    const { logger } = memoryLogger(new Redactor());
    server = listen(h.app, { host: '127.0.0.1', port: 0 }, undefined, logger);
    await once(server, 'listening');
    const res = await get((server.address() as AddressInfo).port, '/metrics');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-xss-protection'], '0');
    assert.match(String(res.headers['content-security-policy']), /^default-src 'none'/);
  });

  it('401s, and answers after a login, carry the configured values too (headers + basic auth)', async () => {
    const file = join(tmp.dir, 'headers-and-users.yml');
    writeFileSync(file, `${fixture('web_config_headers.good.yml')}\n${fixture('web_config_users_noTLS.good.yml')}`);
    const port = await serve(file);
    for (const path of ['/metrics', '/', '/no/such/page']) {
      const refused = await get(port, path);
      assert.equal(refused.status, 401, path);
      assertConfigured(refused, `401 ${path}`);
    }
    const auth = basic(ALICE.user, ALICE.password);
    for (const path of ['/metrics', '/']) {
      const res = await get(port, path, { auth });
      assert.equal(res.status, 200, path);
      assertConfigured(res, `200 ${path}`);
    }
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { INLINE_STYLES, contentSecurityPolicy, styleHash } from '../../src/http/security-headers.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';

/** Each directive of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

describe('security headers', () => {
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let app: Harness['app'];
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');

  before(async () => {
    sim = new WechatSimulator({ accounts: [SHOP], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP] });
    await h.exporter.pollAll();
    // The app as the daemon builds it, JSON API included.
    app = h.app;
  });
  after(async () => {
    await h.close();
    await sim.close();
    tmp.remove();
  });

  const paths = [
    '/',
    '/metrics',
    '/-/healthy',
    '/-/ready',
    '/api/v1/summary?account=shop&from=2026-03-09&to=2026-03-09',
    '/api/v1/summary?account=nobody',
    '/no/such/page',
  ];
  for (const path of paths) {
    it(`${path}: nosniff, strict CSP without scripts, no framing, no referrer`, async () => {
      const res = await request(app).get(path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      const csp = directives(String(res.headers['content-security-policy']));
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.equal(csp.has('script-src'), false, 'no script source at all (default-src none covers it)');
      for (const v of csp.get('style-src') ?? [])
        assert.match(v, /^'sha256-[A-Za-z0-9+/]+=*'$/, 'styles by hash only, never unsafe-inline');
    });
  }

  it('the landing page carries exactly the styles the policy allows, no script and no style attribute', async () => {
    const page = (await request(app).get('/').expect(200)).text;
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
    assert.ok(styles.length > 0);
    const allowed = directives(String((await request(app).get('/')).headers['content-security-policy'])).get('style-src') ?? [];
    for (const css of styles) {
      const hash = `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
      assert.ok(allowed.includes(hash), `style block ${css.slice(0, 30)}… is allowed by its hash`);
    }
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /\sstyle=/i, 'inline style attributes would be blocked by the policy');
  });

  it('the policy lists one hash per inline style sheet and nothing else', () => {
    assert.deepEqual(contentSecurityPolicy()['style-src'], INLINE_STYLES.map(styleHash));
    assert.deepEqual(contentSecurityPolicy(['a{}'])['style-src'], [styleHash('a{}')]);
  });
});

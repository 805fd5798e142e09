import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { ManualClock } from '../../src/clock.js';
import { securityHeaders } from '../../src/http/security-headers.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';
import { requireTool } from '../helpers/tools.js';

/**
 * A real browser loads the pages under the exporter's own Content-Security-Policy, with a
 * `report-uri` added so that every violation comes back as a report. A control page that breaks
 * the policy proves the reports arrive here at all.
 */
describe('Content-Security-Policy in Chromium', function () {
  this.timeout(90_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let server: Server;
  let base: string;
  const reports: string[] = [];

  before(async function () {
    requireTool(this, 'chromium');
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
    await sim.listen(0, '127.0.0.1');
    sim.configure(NEWS.appid, { apiAuthorized: false });
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP, NEWS] });
    await h.exporter.pollAll();
    const outer = express();
    outer.post('/csp-report', express.text({ type: () => true }), (req, res) => {
      reports.push(`${req.get('referer') ?? ''} ${String(req.body)}`);
      res.status(204).end();
    });
    outer.use((_req, res, next) => {
      const set = res.setHeader.bind(res);
      res.setHeader = (name: string, value: number | string | readonly string[]) =>
        set(name, name.toLowerCase() === 'content-security-policy' ? `${String(value)}; report-uri /csp-report` : value);
      next();
    });
    outer.get('/control', securityHeaders(), (_req, res) => {
      res.type('html').send('<!doctype html><html><head><style>p{color:red}</style></head><body><p>x</p></body></html>');
    });
    outer.use(h.app);
    server = outer.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    await h?.close();
    await sim?.close();
    tmp?.remove();
  });

  /** Chromium loads the page (asynchronously: the server runs in this process) and prints its DOM. */
  async function load(path: string): Promise<string> {
    const args = ['--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(tmp.dir, 'chromium')}`];
    const { stdout } = await promisify(execFile)('chromium', [...args, '--virtual-time-budget=3000', '--dump-dom', `${base}${path}`], {
      timeout: 60_000,
    });
    return stdout;
  }

  it('the control page that breaks the policy is reported (the reports reach the test)', async () => {
    await load('/control');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      reports.some((r) => r.includes('style-src')),
      `a style-src report for the control page: ${reports.join('\n')}`,
    );
  });

  it('the landing page (up and down accounts) loads with no violation', async () => {
    reports.length = 0;
    const dom = await load('/');
    assert.match(dom, /WeChat Interface Exporter/);
    assert.match(dom, /api_unauthorized/);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(reports, []);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parse, type HTMLElement } from 'node-html-parser';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { chromium } from '../helpers/chromium.js';
import { startExporter, tempDir, type Harness, type TestAccount } from '../helpers/exporter-harness.js';
import { requireTool, which } from '../helpers/tools.js';

const CHROMIUM = 'chromium';

function testAccounts(n: number): TestAccount[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `acct-${String(i).padStart(4, '0')}`,
    appid: `wx${(0xa000 + i).toString(16).padStart(16, '0')}`,
    secret: `landing-secret-${String(i).padStart(12, '0')}`,
  }));
}

interface Fixture {
  readonly sim: WechatSimulator;
  readonly h: Harness;
  readonly server: Server;
  readonly base: string;
  readonly tmp: ReturnType<typeof tempDir>;
}

/** A polled exporter for `n` accounts of the simulator, its app on a real port of 127.0.0.1. */
async function polledExporter(n: number): Promise<Fixture> {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  const accounts = testAccounts(n);
  const sim = new WechatSimulator({ accounts, clock });
  await sim.listen(0, '127.0.0.1');
  // One account refused for its IP, so that the page has a down row with its hint.
  sim.configure(accounts[1]?.appid ?? '', { ipWhitelisted: false });
  const tmp = tempDir();
  const h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts, schedule: { lookbackDays: 1, concurrency: 16 } });
  await h.exporter.pollAll();
  const server = createServer(h.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  return { sim, h, server, tmp, base: `http://127.0.0.1:${port}` };
}

async function close(f: Fixture): Promise<void> {
  await new Promise((r) => f.server.close(r));
  await f.h.close();
  await f.sim.close();
  f.tmp.remove();
}

/** The page as Chromium rendered it. */
async function renderedDom(f: Fixture, path: string): Promise<HTMLElement> {
  const run = await chromium(CHROMIUM, `${f.base}${path}`, ['--dump-dom']);
  // A stylesheet refused by the CSP would be logged to the console; there must be none.
  assert.doesNotMatch(run.stderr, /Content Security Policy|Refused to/i);
  return parse(run.stdout);
}

/** Each row's cells must be the figures stored for its account's reference day. */
function assertRowsMatchStore(f: Fixture, dom: HTMLElement): number {
  const rows = dom.querySelectorAll('tbody tr');
  for (const tr of rows) {
    const cells = tr.querySelectorAll('td').map((td) => td.text.trim());
    const appid = cells[1] ?? '';
    const refDate = f.h.store.newestDate(appid);
    const ref = refDate === undefined ? undefined : f.h.store.dailyRows(appid, refDate, refDate)[0];
    if (!ref) {
      assert.equal(cells[5], '—', `${appid} has no data`);
      continue;
    }
    assert.equal(cells[4], ref.refDate, appid);
    assert.equal(cells[5], String(ref.callbackCount), `${appid} callbacks`);
    assert.equal(cells[6], String(ref.failCount), `${appid} failures`);
    const hourCallbacks = tr.querySelectorAll('svg.chart g').map((g) => Number(g.getAttribute('data-callbacks')));
    assert.equal(hourCallbacks.length, 24);
    const stored = f.h.store.hourlyRows(appid, ref.refDate, ref.refDate);
    for (const hour of stored) assert.equal(hourCallbacks[hour.refHour], hour.callbackCount, `${appid} hour ${hour.refHour}`);
  }
  return rows.length;
}

describe('landing page in headless Chromium', function () {
  this.timeout(180_000);
  const shots = process.env['LANDING_SCREENSHOT_DIR'];

  before(function () {
    if (!which(CHROMIUM)) requireTool(this, CHROMIUM);
  });

  async function screenshot(f: Fixture, path: string, file: string): Promise<Buffer> {
    const dir = shots ?? f.tmp.dir;
    mkdirSync(dir, { recursive: true });
    const out = join(dir, file);
    await chromium(CHROMIUM, `${f.base}${path}`, [`--screenshot=${out}`, '--window-size=1600,1000', '--hide-scrollbars']);
    return readFileSync(out);
  }

  it('2 accounts: both rows with the stored figures, the down one with its hint, one page; a screenshot', async () => {
    const f = await polledExporter(2);
    try {
      const dom = await renderedDom(f, '/');
      assert.equal(assertRowsMatchStore(f, dom), 2);
      const down = dom.querySelector('tr[data-account="acct-0001"]');
      assert.match(down?.text ?? '', /down[\s\S]*ip_not_whitelisted \(40164\)[\s\S]*whitelist this server's egress IP/);
      assert.match(dom.querySelector('nav.pages')?.text ?? '', /Page 1 of 1/);
      assert.match(dom.querySelector('#summary')?.text ?? '', /2 accounts: 1 up, 1 down/);
      const png = await screenshot(f, '/', 'landing-2.png');
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 1600, 'PNG width is the window width');
    } finally {
      await close(f);
    }
  });

  it('1,000 accounts: 20 pages of 50, sorted by worst failure ratio, filtered by name; a screenshot', async () => {
    const f = await polledExporter(1000);
    try {
      const first = await renderedDom(f, '/');
      assert.equal(assertRowsMatchStore(f, first), 50);
      assert.match(first.querySelector('nav.pages')?.text ?? '', /Page 1 of 20/);
      assert.equal(first.querySelector('a[rel="next"]')?.getAttribute('href'), '/?page=2');

      const worst = await renderedDom(f, '/?sort=failures&page=2');
      assert.equal(assertRowsMatchStore(f, worst), 50);
      const ratios = worst.querySelectorAll('tbody tr').map((tr) => parseFloat(tr.querySelectorAll('td')[7]?.text ?? 'NaN'));
      assert.deepEqual(
        ratios,
        [...ratios].sort((a, b) => b - a),
        'descending failure ratio',
      );
      assert.equal(worst.querySelector('a[rel="next"]')?.getAttribute('href'), '/?sort=failures&page=3');

      const filtered = await renderedDom(f, '/?q=acct-00&sort=state');
      assert.equal(assertRowsMatchStore(f, filtered), 50);
      assert.match(filtered.querySelector('#matching')?.text ?? '', /^100 matching/);
      const names = filtered.querySelectorAll('tbody tr').map((tr) => tr.getAttribute('data-account') ?? '');
      assert.ok(names.every((n) => n.startsWith('acct-00')));
      assert.equal(names[0], 'acct-0001', 'the down account first');
      assert.equal(filtered.querySelector('a[rel="next"]')?.getAttribute('href'), '/?sort=state&q=acct-00&page=2');

      const png = await screenshot(f, '/?sort=failures', 'landing-1000.png');
      assert.equal(png.readUInt32BE(16), 1600);
    } finally {
      await close(f);
    }
  });
});

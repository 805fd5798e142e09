import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer, request as rawRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw HTTP/1.1 exchange: the path goes on the wire exactly as written (no URL normalisation). */
function send(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = rawRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A row: a hostile or malformed request, the status it must get, and what the body must (not) say. */
interface AbuseCase {
  readonly name: string;
  readonly path: string;
  readonly status: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: RegExp;
}

const S = '/api/v1/summary';
const CASES: readonly AbuseCase[] = [
  { name: 'path traversal', path: '/../../etc/passwd', status: 404 },
  { name: 'encoded traversal', path: '/%2e%2e/%2e%2e/etc/passwd', status: 404 },
  { name: 'NUL byte in the path', path: '/metrics%00.html', status: 404 },
  { name: 'malformed percent-encoding', path: '/%E0%A4%A', status: 404 },
  { name: 'very long path (8 KB)', path: `/${'a'.repeat(8_000)}`, status: 404 },
  { name: 'POST to /metrics', path: '/metrics', method: 'POST', status: 404 },
  { name: 'DELETE /', path: '/', method: 'DELETE', status: 404 },
  { name: 'summary without account', path: S, status: 400, body: /account: required/ },
  { name: 'summary, unknown parameter', path: `${S}?account=shop&evil=1`, status: 400, body: /evil: unknown parameter/ },
  { name: 'summary, repeated account', path: `${S}?account=shop&account=news`, status: 400, body: /account: give it once/ },
  { name: 'summary, array syntax', path: `${S}?account[]=shop`, status: 400, body: /unknown parameter|give it once/ },
  { name: 'summary, nested object', path: `${S}?account[a][b]=1`, status: 400, body: /unknown parameter|give it once/ },
  { name: 'summary, bad date', path: `${S}?account=shop&from=2026-02-30&to=2026-03-01`, status: 400, body: /from/ },
  { name: 'summary, from after to', path: `${S}?account=shop&from=2026-03-09&to=2026-03-01`, status: 400, body: /./ },
  {
    name: 'summary, range too long',
    path: `${S}?account=shop&from=2020-01-01&to=2026-03-09&granularity=hour`,
    status: 400,
    body: /more than/,
  },
  {
    name: 'summary, bad granularity',
    path: `${S}?account=shop&from=2026-03-09&to=2026-03-09&granularity=minute`,
    status: 400,
    body: /granularity/,
  },
  {
    name: 'summary, unknown account',
    path: `${S}?account=%3Cscript%3E&from=2026-03-09&to=2026-03-09`,
    status: 404,
    body: /no account named/,
  },
  {
    name: 'summary, 1000 parameters',
    path: `${S}?${Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&')}`,
    status: 400,
    body: /unknown parameter/,
  },
  { name: 'huge header (64 KB)', path: '/', headers: { 'x-big': 'x'.repeat(64 * 1024) }, status: 431 },
];

describe('fault matrix: HTTP abuse (real server on 127.0.0.1)', function () {
  this.timeout(20_000);
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  let sim: WechatSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let server: Server;
  let port: number;

  before(async () => {
    sim = new WechatSimulator({ accounts: [SHOP], clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
    h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP], schedule: { lookbackDays: 3 } });
    await h.exporter.pollAll();
    server = createServer(h.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
    await sim.close();
    tmp.remove();
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.status}, no stack trace, no internal detail`, async () => {
      const res = await send(port, c.path, c.headers, c.method);
      assert.equal(res.status, c.status);
      if (c.body) assert.match(res.body, c.body);
      assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+|node_modules|Error:/, 'no stack trace');
      assert.doesNotMatch(res.body, /<script/i, 'nothing reflected as markup');
      if (res.status !== 431) assert.equal(res.headers['x-content-type-options'], 'nosniff');
    });
  }

  it('the exporter still serves and its data is unchanged after all that', async () => {
    const res = await send(port, `${S}?account=shop&from=2026-03-07&to=2026-03-09`);
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { rows: unknown[]; missingDays: unknown[] };
    assert.equal(body.rows.length, 3);
    assert.deepEqual(body.missingDays, []);
  });

  it('a client that sends half a request and goes away does not disturb the others', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    socket.destroy();
    assert.equal((await send(port, '/-/healthy')).status, 200);
  });
});

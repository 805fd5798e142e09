import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { Redactor, redactUrl } from '../../src/redact.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from '../helpers/exporter-harness.js';

describe('redaction', () => {
  it('a changing credential: masked by value, with the value before it; older ones forgotten; fixed secrets stay', () => {
    const r = new Redactor();
    r.add('appsecret-0123456789');
    r.replace('token a', 'token-a-one-xxxxxxxx');
    r.replace('token a', 'token-a-two-xxxxxxxx');
    r.replace('token a', 'token-a-two-xxxxxxxx'); // the same value again changes nothing
    r.replace('token b', 'token-b-one-xxxxxxxx');
    r.replace('token a', 'token-a-three-xxxxxx');
    assert.equal(r.size, 4);
    assert.equal(
      r.redact('appsecret-0123456789 token-a-three-xxxxxx token-a-two-xxxxxxxx token-a-one-xxxxxxxx token-b-one-xxxxxxxx'),
      '*** *** *** token-a-one-xxxxxxxx ***',
    );
    r.replace('token a', 'short');
    assert.equal(r.size, 4, 'too short to mask: ignored, as add does');
  });

  it('masks credentials in URLs by parameter name', () => {
    assert.equal(
      redactUrl('https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abc123&x=1'),
      'https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***&x=1',
    );
    assert.equal(redactUrl('/datacube/getinterfacesummary?access_token=TOKEN-VALUE'), '/datacube/getinterfacesummary?access_token=***');
  });

  it('masks every registered secret wherever it appears', () => {
    const r = new Redactor();
    r.add('a-long-secret-value');
    r.add('short');
    assert.equal(r.redact('x a-long-secret-value y a-long-secret-value short'), 'x *** y *** short');
  });

  describe('end to end: no appsecret or access_token in logs, errors, pages or metrics', () => {
    let clock: ManualClock;
    let sim: WechatSimulator;
    let echo: Server;
    let seen: string[];
    let tmp: ReturnType<typeof tempDir>;
    let h: Harness;

    beforeEach(async () => {
      clock = new ManualClock('2026-03-10T09:00:00+08:00');
      sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
      await sim.listen(0, '127.0.0.1');
      seen = [];
      // A first domain that passes token calls on to WeChat but fails datacube calls with an error
      // page echoing the request URL, credentials and all, as some proxies do: the exporter must
      // not copy any of it anywhere.
      echo = createServer((req, res) => {
        seen.push(req.url ?? '');
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.url?.startsWith('/datacube/')) {
            res.writeHead(502, { 'content-type': 'text/html' }).end(`<html>Bad gateway: ${req.url}</html>`);
            return;
          }
          void fetch(`${sim.url}${req.url}`, { method: req.method, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined }).then(
            async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
          );
        });
      });
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
      tmp = tempDir();
    });
    afterEach(async () => {
      await h.close();
      echo.close();
      await sim.close();
      tmp.remove();
    });

    it('across fail-over, rejected tokens, configuration errors and error pages', async () => {
      const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      sim.configure(NEWS.appid, { ipWhitelisted: false });
      h = startExporter({
        sim,
        clock,
        storePath: join(tmp.dir, 'store.db'),
        accounts: [{ ...SHOP, tokenSource: 'classic' }, NEWS],
        baseUrls: [echoUrl, sim.url],
      });
      await h.exporter.pollAll();
      // The echo server now sits second in line and gets a rejected-token retry too.
      sim.inject({ kind: 'errcode', errcode: 40001 }, { api: 'getinterfacesummaryhour' });
      sim.inject({ kind: 'http', status: 502, body: `<html>upstream said ${SHOP.secret}</html>` }, { api: 'getinterfacesummaryhour' });
      clock.set('2026-03-11T09:00:00+08:00');
      await h.exporter.pollAll();

      const secrets = [SHOP.secret, NEWS.secret];
      const tokens = seen.flatMap((u) => [...u.matchAll(/access_token=([^&]+)/g)].map((m) => decodeURIComponent(m[1] as string)));
      assert.ok(
        seen.some((u) => u.includes('secret=')),
        'the classic token call carried the secret in its URL',
      );
      assert.ok(tokens.length > 0, 'tokens went out in URLs');
      const texts = [
        ...h.lines,
        (await request(h.app).get('/').expect(200)).text,
        (await request(h.app).get('/metrics').expect(200)).text,
        ...h.exporter.accounts.map((a) => JSON.stringify(a.lastError ?? {})),
      ];
      assert.ok(
        h.lines.some((l) => l.includes('"poll failed"')),
        'errors were logged',
      );
      for (const text of texts) {
        for (const secret of [...secrets, ...tokens]) assert.ok(!text.includes(secret), `a credential leaked into: ${text.slice(0, 200)}`);
      }
    });
  });
});

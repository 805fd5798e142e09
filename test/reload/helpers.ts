import { writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';
import request from 'supertest';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { exporterApp } from '../../src/exporter-app.js';
import type { Exporter } from '../../src/exporter.js';
import { memoryLogger } from '../../src/log.js';
import { Redactor } from '../../src/redact.js';
import { Reloader } from '../../src/reload/reloader.js';
import { Store } from '../../src/store/store.js';
import { stringify } from 'yaml';
import { BUILD, testExporter } from '../helpers/exporter-harness.js';
import { parseSamples } from '../helpers/metrics-text.js';

export interface Running {
  readonly exporter: Exporter;
  readonly app: RequestListener;
  readonly reloader: Reloader;
  readonly store: Store;
  readonly lines: string[];
  scrape(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** The exporter and its reloader wired as the daemon wires them, from a config file on disk. */
export async function startFromFile(
  configFile: string,
  storePath: string,
  clock: Clock,
  env: Record<string, string> = {},
): Promise<Running> {
  const redactor = new Redactor();
  const { logger, lines } = memoryLogger(redactor);
  const load = () => loadConfig({ file: configFile, env });
  const config = load();
  const reloader = new Reloader({ config, load, env, clock, log: logger });
  const store = new Store(storePath);
  const exporter = testExporter({ config: { ...config, accounts: await reloader.initialAccounts() }, store, clock, logger, redactor });
  reloader.attach(exporter, exporter.registry);
  const app = exporterApp(exporter, {
    store,
    clock,
    build: BUILD,
    operations: () => ({ reloadSuccessful: reloader.lastReloadSuccessful, sources: reloader.sources() }),
  });
  return {
    exporter,
    app,
    reloader,
    store,
    lines,
    scrape: async () => parseSamples((await request(app).get('/metrics').expect(200)).text),
    async close() {
      await reloader.close();
      await exporter.stop();
      store.close();
    },
  };
}

export function writeYaml(path: string, doc: unknown): void {
  writeFileSync(path, stringify(doc));
}

/** A discovery endpoint on 127.0.0.1 whose answer the test sets; records the Authorization headers. */
export async function discoveryServer(): Promise<{
  url: string;
  set(status: number, body: unknown): void;
  auth: (string | undefined)[];
  close(): Promise<void>;
}> {
  let answer: { status: number; body: string } = { status: 200, body: '[]' };
  const auth: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/accounts`,
    set: (status, body) => {
      answer = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
    },
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

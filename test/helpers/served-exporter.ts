import { once } from 'node:events';
import http, { type Server } from 'node:http';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { NEWS, SHOP, startExporter, tempDir, type Harness } from './exporter-harness.js';

export interface ServedExporter {
  readonly h: Harness;
  /** The harness app on a real socket on 127.0.0.1. */
  readonly server: Server;
  close(): Promise<void>;
}

/** SHOP and NEWS polled once from the simulator, the exporter's app listening on 127.0.0.1. */
export async function serveExporter(): Promise<ServedExporter> {
  const clock = new ManualClock('2026-03-10T09:00:00+08:00');
  const sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock });
  await sim.listen(0, '127.0.0.1');
  const tmp = tempDir();
  const h = startExporter({ sim, clock, storePath: join(tmp.dir, 'store.db'), accounts: [SHOP, NEWS] });
  await h.exporter.pollAll();
  const server = http.createServer(h.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    h,
    server,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await h.close();
      await sim.close();
      tmp.remove();
    },
  };
}

/** Serves an exporter for the current describe block (before/after hooks); call the result inside tests. */
export function servedExporter(): () => ServedExporter {
  let served: ServedExporter | undefined;
  before(async () => {
    served = await serveExporter();
  });
  after(() => served?.close());
  return () => {
    if (!served) throw new Error('servedExporter(): used outside a test');
    return served;
  };
}

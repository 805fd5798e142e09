import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import { WechatSimulator } from '../../src/simulator/index.js';
import { startExporter, tempDir, type Harness, type TestAccount } from './exporter-harness.js';

export interface SimFixture {
  readonly sim: WechatSimulator;
  /** An exporter on a fresh store in this test's directory; closed after the test. */
  start(options?: Partial<Omit<Parameters<typeof startExporter>[0], 'sim' | 'clock' | 'storePath'>>): Harness;
}

/**
 * Registers, in the calling `describe`, a fresh simulator and temporary directory per test, and
 * closes the exporter a test started: the usual frame of a test that polls through the simulator.
 */
export function simFixture(accounts: readonly TestAccount[], clock: Clock): SimFixture {
  let sim: WechatSimulator | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  let h: Harness | undefined;
  beforeEach(async () => {
    sim = new WechatSimulator({ accounts, clock });
    await sim.listen(0, '127.0.0.1');
    tmp = tempDir();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await sim?.close();
    tmp?.remove();
  });
  return {
    get sim(): WechatSimulator {
      return sim as WechatSimulator;
    },
    start(options = {}) {
      h = startExporter({
        ...options,
        accounts: options.accounts ?? accounts,
        sim: sim as WechatSimulator,
        clock,
        storePath: join((tmp as { dir: string }).dir, 'store.db'),
      });
      return h;
    },
  };
}

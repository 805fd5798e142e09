import type { Clock } from './clock.js';
import type { ResolvedConfig } from './config/load.js';
import { resolveConfig } from './config/load.js';
import { WechatSimulator, type SimulatorAccount } from './simulator/index.js';

/**
 * Two demo accounts: a busy, healthy shop and a smaller news account whose server fails often
 * and answers slowly, so the dashboard and the failure-ratio alert have something to show; each
 * with an owner label, so that the status page's and the dashboard's owner filters do too.
 */
export const DEMO_ACCOUNTS: readonly (SimulatorAccount & { readonly name: string; readonly labels: Readonly<Record<string, string>> })[] = [
  {
    name: 'demo-shop',
    appid: 'wx00000000000d3e01',
    secret: 'demo-secret-shop-00000001',
    profile: { dailyCallbacks: 40_000, failureRatio: 0.002, latencyMs: 160 },
    labels: { team: 'retail' },
  },
  {
    name: 'demo-news',
    appid: 'wx00000000000d3e02',
    secret: 'demo-secret-news-00000002',
    profile: { dailyCallbacks: 6_000, failureRatio: 0.03, latencyMs: 900 },
    labels: { team: 'newsroom' },
  },
];

/** `--demo`: the simulator on 127.0.0.1 (a free port) and a config pointing at it, 7 days of lookback. */
export async function startDemo(clock: Clock): Promise<{ simulator: WechatSimulator; config: ResolvedConfig }> {
  const simulator = new WechatSimulator({ accounts: DEMO_ACCOUNTS, clock });
  const url = await simulator.listen(0, '127.0.0.1');
  // The demo secrets come from a private environment, so that the demo runs without warnings.
  const env = Object.fromEntries(DEMO_ACCOUNTS.map((a, i) => [`DEMO_SECRET_${i}`, a.secret]));
  const config = resolveConfig(
    {
      wechat: { baseUrls: [url], timeout: '5s' },
      schedule: { lookbackDays: 7, retryInterval: '1m' },
      accounts: DEMO_ACCOUNTS.map((a, i) => ({ name: a.name, appid: a.appid, secretEnv: `DEMO_SECRET_${i}`, labels: a.labels })),
    },
    env,
    'demo',
  );
  return { simulator, config };
}

/** Shared plumbing for the backfill tests: a config file against a simulator, output parsing. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Clock } from '../../src/clock.js';
import { backfillCommand, type BackfillCommandFlags, type BackfillIo } from '../../src/backfill/command.js';
import { WechatSimulator, type SimHourlyRow, type SimulatorAccount } from '../../src/simulator/index.js';

export type NamedSimAccount = SimulatorAccount & { readonly name: string };

export const MAIN: NamedSimAccount = { name: 'main', appid: 'wx0123456789abcdef', secret: 'main-secret-0123456789abcdef0123' };
/** A smaller account with more failures and slower replies than the default profile. */
export const NEWS: NamedSimAccount = {
  name: 'news',
  appid: 'wx00000000000000aa',
  secret: 'news-secret-0123456789abcdef0123',
  profile: { dailyCallbacks: 3_000, failureRatio: 0.03, latencyMs: 700 },
};
export const ENV = { MAIN_SECRET: MAIN.secret, NEWS_SECRET: NEWS.secret };

export async function startSimulator(clock: Clock): Promise<WechatSimulator> {
  const sim = new WechatSimulator({ accounts: [MAIN, NEWS], clock });
  await sim.listen(0, '127.0.0.1');
  return sim;
}

/** A temp dir with config.yml pointing at the simulator, secrets by environment variable. */
export function writeConfig(simUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'wechat:',
      `  baseUrls: [${simUrl}]`,
      '  timeout: 2s',
      '  retry: { maxAttempts: 2, maxElapsed: 1s }',
      'accounts:',
      `  - { name: ${MAIN.name}, appid: ${MAIN.appid}, secretEnv: MAIN_SECRET }`,
      `  - { name: ${NEWS.name}, appid: ${NEWS.appid}, secretEnv: NEWS_SECRET }`,
      '',
    ].join('\n'),
  );
  return dir;
}

export interface Run {
  readonly code: number;
  readonly stderr: string;
}

/** Runs the backfill command in-process with a pinned clock; stderr is captured. */
export async function runCommand(
  dir: string,
  clock: Clock,
  flags: Partial<BackfillCommandFlags>,
  env: Record<string, string> = ENV,
  io: Omit<BackfillIo, 'clock' | 'stderr'> = {},
): Promise<Run> {
  let stderr = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      stderr += chunk.toString('utf8');
      cb();
    },
  });
  const code = await backfillCommand(
    {
      configFile: join(dir, 'config.yml'),
      storagePath: join(dir, 'store.db'),
      logLevel: 'warn',
      logFormat: 'text',
      demo: false,
      output: join(dir, 'history.om'),
      ...flags,
    },
    env,
    { ...io, clock, stderr: sink },
  );
  return { code, stderr };
}

/** Samples of an OpenMetrics text, keyed `name account timestamp`. */
export function parseSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_]+)\{appid="[^"]*",account="([^"]*)"\} (\S+) (\d+)$/.exec(line);
    if (!m) throw new Error(`unexpected line: ${line}`);
    out.set(`${m[1]} ${m[2]} ${m[4]}`, Number(m[3]));
  }
  return out;
}

/** Unix seconds of the end of Beijing hour `hour` of `date`. */
export function hourEnd(date: string, hour: number): number {
  return Date.parse(`${date}T00:00:00+08:00`) / 1000 + (hour + 1) * 3600;
}

/** An hour WeChat does not list for that day (a quiet night hour), if any. */
export function unlistedHour(rows: readonly SimHourlyRow[]): number | undefined {
  const listed = new Set(rows.map((r) => r.ref_hour));
  for (let h = 0; h < 24; h++) if (!listed.has(h)) return h;
  return undefined;
}

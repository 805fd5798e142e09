/**
 * What a reload costs a platform with many discovered accounts: reading the account files,
 * merging them, and applying a one-account change to a running exporter whose days are stored
 * (against the simulator on 127.0.0.1). Prints figures; asserts nothing.
 *
 *   node --import tsx bench/reload.ts [accounts=1000] [perFile=200] [yml|json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { offsetClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { Exporter } from '../src/exporter.js';
import { createLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { Reloader } from '../src/reload/reloader.js';
import { WechatSimulator } from '../src/simulator/index.js';
import { Store } from '../src/store/store.js';

const accounts = Number(process.argv[2] ?? 1000);
const perFile = Number(process.argv[3] ?? 200);
const ext = process.argv[4] === 'json' ? 'json' : 'yml';
const clock = offsetClock('2026-03-10T09:00:00+08:00');
const list = Array.from({ length: accounts + 1 }, (_, i) => ({
  name: `acct-${i}`,
  appid: `wx${i.toString(16).padStart(16, '0')}`,
  secret: `bench-secret-${i.toString().padStart(12, '0')}`,
}));
const ms = (t: number): string => `${t.toFixed(1)} ms`;
const sim = new WechatSimulator({ accounts: list, clock });
const url = await sim.listen(0, '127.0.0.1');
const dir = mkdtempSync(join(tmpdir(), 'wx-bench-reload-'));
mkdirSync(join(dir, 'accounts'));
const writeBatch = (n: number, batch: typeof list): void =>
  writeFileSync(
    join(dir, 'accounts', `batch-${String(n).padStart(3, '0')}.${ext}`),
    ext === 'json' ? JSON.stringify(batch) : stringify(batch),
  );
for (let i = 0; i * perFile < accounts; i++) writeBatch(i, list.slice(i * perFile, Math.min(accounts, (i + 1) * perFile)));
const configFile = join(dir, 'config.yml');
writeFileSync(
  configFile,
  stringify({
    wechat: { baseUrls: [url] },
    schedule: { lookbackDays: 1, concurrency: 16 },
    discovery: { files: [join(dir, 'accounts', `*.${ext}`)], refreshInterval: '1h' },
  }),
);

const redactor = new Redactor();
const log = createLogger({ level: 'error', format: 'json', redactor, stream: new Writable({ write: (_c, _e, cb) => cb() }) });
const load = () => loadConfig({ file: configFile, env: {} });
const reloader = new Reloader({ config: load(), load, env: {}, clock, log });
let t = performance.now();
const initial = await reloader.initialAccounts();
console.log(
  `first read of ${accounts} accounts in ${Math.ceil(accounts / perFile)} ${ext} files (parse, validate, merge): ${ms(performance.now() - t)}`,
);

const store = new Store(join(dir, 'store.db'));
const exporter = new Exporter({
  config: { ...load(), accounts: initial },
  store,
  clock,
  logger: log,
  redactor,
  env: {},
  build: { version: 'bench', revision: '', nodejs: process.version },
  defaultMetrics: false,
});
reloader.attach(exporter, exporter.registry);
t = performance.now();
await exporter.pollAll();
console.log(`first poll (1-day window): ${ms(performance.now() - t)}, ${sim.calls.length} calls`);

sim.resetCalls();
const extra = list[accounts] as (typeof list)[number];
writeBatch(999, [extra]);
t = performance.now();
const result = await reloader.reload();
const applied = performance.now() - t;
while (exporter.accounts.find((a) => a.appid === extra.appid)?.up === undefined) await new Promise((r) => setTimeout(r, 5));
const others = sim.calls.filter((c) => c.appid !== extra.appid).length;
console.log(
  `reload adding 1 account to ${accounts}: ok=${result.ok}, applied in ${ms(applied)}, new account fetched after ${ms(performance.now() - t)}`,
);
console.log(`  calls: ${sim.callCount({ appid: extra.appid })} for the new account, ${others} for the ${accounts} others`);

t = performance.now();
await reloader.reload();
console.log(
  `reload with nothing changed: ${ms(performance.now() - t)}, calls ${sim.calls.length - sim.callCount({ appid: extra.appid }) - others}`,
);

await reloader.close();
await exporter.stop();
store.close();
await sim.close();
rmSync(dir, { recursive: true, force: true });

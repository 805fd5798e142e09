/**
 * What the rules cost a real Prometheus (Debian's 2.42) at scale: the week baseline of
 * WechatInterfaceCallbacksDropped / WechatInterfaceLatencyRegression above all.
 *
 * For each account count: generates what Prometheus would hold after `days` days (test/rules/baseline-data.ts:
 * the baseline group's hourly snapshots, and the last hour of the exporter's gauges scraped every
 * `step` seconds), turns it into TSDB blocks with `promtool tsdb create-blocks-from openmetrics`,
 * starts Prometheus on them (127.0.0.1, a free port) with the real rules file, and prints per rule
 * group the evaluation time Prometheus reports (prometheus_rule_group_last_duration_seconds) over
 * several iterations; the groups evaluated every minute (records, alerts) are the in-run
 * comparison. Then, the rules switched off by a reload, each group's rules run as instant queries:
 * the CPU seconds Prometheus spends on one evaluation of the group (stable under load, unlike the
 * wall-clock times), and per hour at the group's interval. Prints figures; asserts nothing. Temp
 * dirs and processes are removed at the end.
 *
 *   npm run bench:rules -- [accounts=1000,5000] [days=8] [step=60]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { startOnFreePort, type ManagedProcess } from '../test/e2e/support/process.js';
import { buildBlocks, type GaugeModel } from '../test/rules/baseline-data.js';

const RULES_FILE = fileURLToPath(new URL('../prometheus/wechat-interface-exporter.rules.yml', import.meta.url));
const counts = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const days = Number(process.argv[3] ?? 8);
const step = Number(process.argv[4] ?? 60);
/** The rules' evaluation interval in this bench: short, to see several iterations in a minute or two. */
const EVAL_INTERVAL_S = 15;
const ITERATIONS = 4;

interface GroupFigures {
  readonly durations: number[];
  iterations: number;
  missed: number;
}

/** `name{labels} value` lines of a Prometheus /metrics text for one metric, keyed by rule_group. */
function byGroup(text: string, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${metric}\\{rule_group="[^;"]*;([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

/** Polls Prometheus' own metrics until every group has ITERATIONS evaluations after its first. */
async function groupDurations(base: string, groups: readonly string[]): Promise<Map<string, GroupFigures>> {
  const figures = new Map<string, GroupFigures>(groups.map((g) => [g, { durations: [], iterations: 0, missed: 0 }]));
  const deadline = Date.now() + (ITERATIONS + 4) * EVAL_INTERVAL_S * 1000 * 2;
  while (Date.now() < deadline && [...figures.values()].some((f) => f.durations.length < ITERATIONS)) {
    const text = await (await fetch(`${base}/metrics`)).text();
    const iterations = byGroup(text, 'prometheus_rule_group_iterations_total');
    const durations = byGroup(text, 'prometheus_rule_group_last_duration_seconds');
    const missed = byGroup(text, 'prometheus_rule_group_iterations_missed_total');
    for (const [group, f] of figures) {
      const n = iterations.get(group) ?? 0;
      // The first iteration warms the caches (postings, chunks): counted from the second on.
      if (n > f.iterations && n >= 2) f.durations.push(durations.get(group) ?? NaN);
      f.iterations = n;
      f.missed = missed.get(group) ?? 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return figures;
}

/** Prometheus' own CPU seconds so far (process_cpu_seconds_total, 10 ms resolution). */
async function cpuSeconds(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? NaN);
}

/** The CPU seconds one instant query of `expr` costs Prometheus: the median of three runs. */
async function queryCpu(base: string, expr: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = await cpuSeconds(base);
    const res = await fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    const body = (await res.json()) as { status: string; error?: string };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
    runs.push((await cpuSeconds(base)) - before);
  }
  return median(runs);
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`;

async function benchOne(accounts: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wx-bench-rules-'));
  const processes: ManagedProcess[] = [];
  try {
    const now = Math.floor(Date.now() / 1000);
    // The data ends now: Prometheus appends rule results only after the newest block.
    const model: GaugeModel = { accounts, stepSeconds: step, hourSeconds: 10 * 60, end: now - (now % step) };
    const t0 = Date.now();
    const samples = buildBlocks(model, now - days * 86_400, now, join(dir, 'tsdb'), dir);
    const took = ((Date.now() - t0) / 1000).toFixed(0);
    console.log(
      `\n${accounts} accounts: ${(samples / 1e6).toFixed(1)} M samples (${days} days of hourly snapshots, the last hour of gauges every ${step} s), blocks in ${took} s`,
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({ global: { evaluation_interval: `${EVAL_INTERVAL_S}s` }, rule_files: [rulesCopy(dir)] }),
    );
    const prom = await startOnFreePort(
      (port) => ({
        name: 'prometheus',
        command: 'prometheus',
        args: [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // Nothing is scraped: the gauges' last samples must stay visible while the bench runs.
          '--query.lookback-delta=30m',
          '--web.enable-lifecycle',
        ],
        readyUrl: `http://127.0.0.1:${port}/-/ready`,
      }),
      processes,
      300_000,
    );
    const base = `http://127.0.0.1:${prom.port}`;
    await report(base);
    // Then the rules off (a reload without rule_files), so that the CPU Prometheus spends is the queries'.
    writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: `${EVAL_INTERVAL_S}s` } }));
    await fetch(`${base}/-/reload`, { method: 'POST' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await reportCpu(base);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function report(base: string): Promise<void> {
  const groups = groupNames();
  const figures = await groupDurations(base, groups);
  console.log(`rule group: wall-clock evaluation time (every group every ${EVAL_INTERVAL_S} s here)   median   max   iterations missed`);
  for (const [group, f] of figures) {
    const max = Math.max(...f.durations);
    console.log(
      `  ${group.padEnd(48)} ${ms(median(f.durations)).padStart(10)} ${ms(max).padStart(10)} ${String(f.iterations).padStart(6)} ${f.missed}   [${f.durations.map((d) => (d * 1000).toFixed(0)).join(' ')}]`,
    );
  }
  const rss = /^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1];
  console.log(`Prometheus RSS ${(Number(rss) / 2 ** 20).toFixed(0)} MiB`);
  for (const alert of ['WechatInterfaceCallbacksDropped', 'WechatInterfaceLatencyRegression']) {
    const answer = await fetch(`${base}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: `count(ALERTS{alertname="${alert}"})` }),
    });
    const result = ((await answer.json()) as { data?: { result: { value: [number, string] }[] } }).data?.result ?? [];
    console.log(`  ${alert}: pending or firing for ${result[0]?.value[1] ?? 0} accounts`);
  }
}

/**
 * Each group's rules run once as instant queries, in order, with no rule evaluating meanwhile: the
 * CPU time of one evaluation of the group, and of an hour of them at the shipped intervals. CPU
 * time, unlike the evaluation time above, does not grow when other processes take the cores.
 */
async function reportCpu(base: string): Promise<void> {
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; interval?: string; rules: { expr: string }[] }[] };
  console.log('CPU per evaluation (rules as instant queries, rules off)      per evaluation   per hour at its interval');
  for (const group of rules.groups) {
    let cpu = 0;
    for (const rule of group.rules) cpu += await queryCpu(base, rule.expr);
    const perHour = group.interval === '1h' ? 1 : 60; // the groups without an interval: Prometheus' default 1m
    console.log(`  ${group.name.padEnd(48)} ${ms(cpu).padStart(14)} ${ms(cpu * perHour).padStart(14)} (${perHour} evaluations)`);
  }
}

/**
 * The rules file with every group's own `interval` (the baseline group's 1h) set to the bench's
 * interval: the cost of an evaluation does not depend on how often it runs, and an hourly group
 * might not run at all within the bench.
 */
function rulesCopy(dir: string): string {
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; interval?: string }[] };
  for (const group of rules.groups) if (group.interval !== undefined) group.interval = `${EVAL_INTERVAL_S}s`;
  const file = join(dir, 'rules.yml');
  writeFileSync(file, stringify(rules));
  return file;
}

/** The rule groups of the rules file, in order. */
function groupNames(): string[] {
  return (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string }[] }).groups.map((g) => g.name);
}

for (const n of counts) await benchOne(n);

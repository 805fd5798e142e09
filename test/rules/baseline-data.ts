import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a Prometheus holds for many accounts after days of scraping the exporter and evaluating the
 * rules, written as TSDB blocks with `promtool tsdb create-blocks-from openmetrics`: what
 * bench/rules-eval.ts times the rule groups on, and test/rules/baseline.e2e.test.ts runs the
 * baseline alerts and the dashboard on, in a real Prometheus. Two parts: the
 * exporter's gauges as scraped (`scrapeLines`), needed only for the last hour since the rules read
 * them with instant lookups, and the hourly snapshots the baseline group records from them
 * (`snapshotLines`), over the whole week its subqueries read.
 *
 * Each account's reference day moves once a Beijing day, at 08:15-08:44 Beijing (a per-account
 * fetch minute), to the day before, as the exporter's daily fetch does. Values are deterministic.
 */

export interface GaugeModel {
  readonly accounts: number;
  /** Seconds between two samples of a series (the scrape interval). */
  readonly stepSeconds: number;
  /** Hour gauges (72 series per account) are written only for this many seconds before `end`. */
  readonly hourSeconds: number;
  /** The last sample time (Unix seconds); hour gauges and "today's" anomalies are relative to it. */
  readonly end: number;
}

const DAY = 86_400;
/** 00:00 Beijing of Beijing day `day` (days since 1970-01-01 Beijing), Unix seconds. */
const dayStart = (day: number): number => day * DAY - 8 * 3600;

/** A small deterministic hash in [0, 1): the same account and day always get the same figures. */
function unit(a: number, b: number): number {
  let x = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return (x >>> 0) / 2 ** 32;
}

/** The reference day shown at `t`: day c-1 from the account's fetch (08:15 + i % 30 min Beijing of day c), else c-2. */
export function referenceDay(account: number, t: number): number {
  const c = Math.floor(t / DAY); // 08:00 Beijing of day c is c * DAY (00:00 UTC)
  const fetch = c * DAY + (15 + (account % 30)) * 60;
  return t >= fetch ? c - 1 : c - 2;
}

export interface DayFigures {
  readonly callbacks: number;
  readonly failures: number;
  readonly timeCost: number;
}

/**
 * One account-day. Every 10th account (i % 10 == 0) has a drop to a fifth on the newest day,
 * every 10th + 1 replies three times slower on it: the alerts have something to find.
 */
export function dayFigures(account: number, day: number, newestDay: number): DayFigures {
  const base = 200 + (account % 50) * 100;
  let callbacks = Math.round(base * (0.8 + 0.4 * unit(account, day)));
  let latency = 0.1 + 0.1 * unit(account + 7, day);
  if (day === newestDay && account % 10 === 0) callbacks = Math.round(callbacks / 5);
  if (day === newestDay && account % 10 === 1) latency *= 3;
  return { callbacks, failures: Math.round(callbacks * 0.002), timeCost: callbacks * latency };
}

const labelsOf = (i: number): string =>
  `job="wechat-interface-exporter",instance="exporter:10071",appid="wx${i.toString(16).padStart(16, '0')}",account="acct-${i}"`;

/** The lines of one scrape at `t` of every account (no `# EOF`). */
export function scrapeLines(model: GaugeModel, t: number): string {
  const withHours = t > model.end - model.hourSeconds;
  const parts: string[] = [];
  for (let i = 0; i < model.accounts; i++) {
    const l = labelsOf(i);
    const day = referenceDay(i, t);
    const f = dayFigures(i, day, referenceDay(i, model.end));
    parts.push(
      `wechat_interface_reference_day_timestamp_seconds{${l}} ${dayStart(day)} ${t}`,
      `wechat_interface_day_callbacks{${l}} ${f.callbacks} ${t}`,
      `wechat_interface_day_failures{${l}} ${f.failures} ${t}`,
      `wechat_interface_day_time_cost_seconds{${l}} ${f.timeCost.toFixed(3)} ${t}`,
      `wechat_exporter_account_up{${l}} 1 ${t}`,
    );
    if (withHours) parts.push(hourLines(l, f, t));
  }
  return parts.join('\n') + '\n';
}

/** The baseline group's snapshots at `t`, as it records them (by appid and account, no job/instance). */
export function snapshotLines(model: GaugeModel, t: number): string {
  const parts: string[] = [];
  for (let i = 0; i < model.accounts; i++) {
    const l = `appid="wx${i.toString(16).padStart(16, '0')}",account="acct-${i}"`;
    const day = referenceDay(i, t);
    const f = dayFigures(i, day, referenceDay(i, model.end));
    parts.push(
      `appid_account:wechat_interface_reference_day_timestamp_seconds:max{${l}} ${dayStart(day)} ${t}`,
      `appid_account:wechat_interface_day_callbacks:max{${l}} ${f.callbacks} ${t}`,
      `appid_account:wechat_interface_day_failures:max{${l}} ${f.failures} ${t}`,
      `appid_account:wechat_interface_day_time_cost_seconds:max{${l}} ${f.timeCost.toFixed(3)} ${t}`,
    );
  }
  return parts.join('\n') + '\n';
}

function hourLines(labels: string, f: DayFigures, t: number): string {
  const out: string[] = [];
  for (let h = 0; h < 24; h++) {
    const hour = `${labels},hour="${String(h).padStart(2, '0')}"`;
    const share = 1 / 24;
    out.push(
      `wechat_interface_hour_callbacks{${hour}} ${Math.round(f.callbacks * share)} ${t}`,
      `wechat_interface_hour_failures{${hour}} ${Math.round(f.failures * share)} ${t}`,
      `wechat_interface_hour_time_cost_seconds{${hour}} ${(f.timeCost * share).toFixed(3)} ${t}`,
    );
  }
  return out.join('\n');
}

/** promtool writes one block per window; one input file per window is read once (promtool re-reads the file per window). */
const WINDOW_S = 18 * 3600;
/** Snapshots at a fixed time past the hour, like a rule group's evaluation offset. */
const SNAPSHOT_OFFSET_S = 17 * 60 + 23;

/**
 * Blocks in `tsdb` (created): the hourly snapshots from `start` to `now` (the baseline group records
 * the next ones itself) and the scraped gauges for the last hour up to `model.end`, which must not be
 * after `now` (Prometheus appends rule results only after its newest block). Returns the samples.
 */
export function buildBlocks(model: GaugeModel, start: number, now: number, tsdb: string, scratch: string): number {
  let samples = 0;
  const file = join(scratch, 'window.om');
  for (let w = Math.floor(start / WINDOW_S) * WINDOW_S; w <= model.end; w += WINDOW_S) {
    const fd = openSync(file, 'w');
    const write = (text: string): void => {
      writeSync(fd, text);
      samples += text.split('\n').length - 1;
    };
    const first = Math.ceil((Math.max(w, start) - SNAPSHOT_OFFSET_S) / 3600) * 3600 + SNAPSHOT_OFFSET_S;
    for (let t = first; t < Math.min(w + WINDOW_S, now); t += 3600) write(snapshotLines(model, t));
    for (let t = Math.max(w, model.end - 3600); t < Math.min(w + WINDOW_S, model.end + 1); t += model.stepSeconds) {
      write(scrapeLines(model, t));
    }
    writeSync(fd, '# EOF\n');
    closeSync(fd);
    const args = ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=18h', file, tsdb];
    const r = spawnSync('promtool', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`promtool ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
  }
  rmSync(file);
  return samples;
}

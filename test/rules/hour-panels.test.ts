/**
 * The dashboard's four "by hour" panels (issue 22): they hold the queries of scripts/hour-panels.ts,
 * and promtool proves what they answer. Per account and hour, the hourly gauge wins; an account
 * without hourly gauges (`metrics.hourly: false`) is shown from its remote-written history, for the
 * reference day the exporter exports at the panel's time (not the day that was the reference day
 * when a history sample was written), and an hour missing from that day stays missing rather
 * than being taken from the day before.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HOUR_PANEL_QUERIES, patchDashboard } from '../../scripts/hour-panels.js';
import { which } from '../helpers/tools.js';
import { DASHBOARD_PATH, dashboardQueries } from './dashboard-queries.js';

/** promtool's time, in hourly steps from 0 (Unix epoch). 16:00 UTC is 00:00 Beijing. */
const H = 3600;
/** Beijing midnight of the day D-1 and of D, as steps: the hour HH of a day is stamped at its midnight + HH + 1. */
const DAY_BEFORE = 16;
const DAY = 40;
/** The exporter's reference day is D from step 66 on (before, D-1); the panels are evaluated at step 70 (06:00 Beijing of D+1). */
const FLIP = 66;
const EVAL = 70;
/** The hour of D that the history lacks. */
const GAP = 5;

const GAUGES = { appid: 'wx000000000000000a', account: 'gauges' };
const HISTORY = { appid: 'wx000000000000000b', account: 'history' };
const TARGET = { job: 'wechat', instance: '127.0.0.1:10071' };

/** Each figure of each hour, distinct per account, figure and day, so that a wrong pick shows. */
const FIGURES = ['callbacks', 'failures', 'time_cost_seconds', 'latency_max_seconds'] as const;
type Figure = (typeof FIGURES)[number];
const BASE: Record<Figure, number> = { callbacks: 1000, failures: 10, time_cost_seconds: 300, latency_max_seconds: 2 };
const gaugeValue = (f: Figure, h: number): number => BASE[f] + h;
const historyValue = (f: Figure, h: number, dayBefore: boolean): number => BASE[f] * 3 + h + (dayBefore ? 500 : 0);

const series = (name: string, l: Readonly<Record<string, string>>): string =>
  `${name}{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/** 80 hourly steps of promtool input, `_` where there is no sample. */
const steps = (valueAt: (step: number) => number | undefined): string => Array.from({ length: 80 }, (_, s) => valueAt(s) ?? '_').join(' ');

/** The history of an account: the hours of D-1 and of D at their end, hour GAP of D missing. */
function history(f: Figure, s: number): number | undefined {
  const hour = s - DAY - 1;
  if (hour >= 0 && hour < 24) return hour === GAP ? undefined : historyValue(f, hour, false);
  const before = s - DAY_BEFORE - 1;
  return before >= 0 && before < 24 ? historyValue(f, before, true) : undefined;
}

function inputSeries(): { series: string; values: string }[] {
  const out: { series: string; values: string }[] = [];
  for (const a of [GAUGES, HISTORY]) {
    const refDay = (s: number): number => (s < FLIP ? DAY_BEFORE : DAY) * H;
    out.push({ series: series('wechat_interface_reference_day_timestamp_seconds', { ...TARGET, ...a }), values: steps(refDay) });
    // Both accounts have a history (written by remote write); only one exports hourly gauges.
    for (const f of FIGURES) out.push({ series: series(`wechat_interface_history_hourly_${f}`, a), values: steps((s) => history(f, s)) });
  }
  for (const f of FIGURES) {
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, '0');
      out.push({ series: series(`wechat_interface_hour_${f}`, { ...TARGET, ...GAUGES, hour: hh }), values: steps(() => gaugeValue(f, h)) });
    }
  }
  return out;
}

/** What each panel target must answer at EVAL: the gauges account's gauges plus the history account's day D. */
function expected(title: string, refId: string): { labels: string; value: number }[] {
  const sum = (f: Figure, h: number): number => gaugeValue(f, h) + (h === GAP ? 0 : historyValue(f, h, false));
  const value = (h: number): number => {
    if (title === 'Callbacks by hour') return sum('callbacks', h);
    if (title === 'Failures by hour') return sum('failures', h);
    if (title === 'Failure ratio by hour') return sum('failures', h) / sum('callbacks', h);
    if (refId === 'A') return sum('time_cost_seconds', h) / sum('callbacks', h);
    return h === GAP
      ? gaugeValue('latency_max_seconds', h)
      : Math.max(gaugeValue('latency_max_seconds', h), historyValue('latency_max_seconds', h, false));
  };
  return Array.from({ length: 24 }, (_, h) => ({ labels: `{hour="${String(h).padStart(2, '0')}"}`, value: value(h) }));
}

describe('dashboard: the four hour panels (gauges, or the remote-written history without them)', function () {
  it('holds the queries of scripts/hour-panels.ts (run it after changing them)', () => {
    const text = readFileSync(DASHBOARD_PATH, 'utf8');
    assert.equal(patchDashboard(text), text);
  });

  it('answers, per hour, the gauges where exported and the reference day of the history elsewhere (promtool)', function () {
    this.timeout(150_000);
    const promtool = which('promtool');
    if (!promtool) {
      console.log('    skipped: promtool is not on PATH (install Prometheus, e.g. apt-get install prometheus)');
      this.skip();
    }
    const queries = dashboardQueries().filter((q) => Object.keys(HOUR_PANEL_QUERIES).includes(q.panelTitle));
    assert.equal(queries.length, 5, 'four panels, five targets');
    const tests = [
      {
        interval: '1h',
        input_series: inputSeries(),
        promql_expr_test: queries.map((q) => ({
          expr: q.expr,
          eval_time: `${EVAL}h`,
          exp_samples: expected(q.panelTitle, q.refId),
        })),
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'hour-panels-'));
    try {
      writeFileSync(join(dir, 'hour-panels.test.yml'), stringify({ rule_files: [], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
      const result = spawnSync(promtool, ['test', 'rules', 'hour-panels.test.yml'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}${result.error?.message ?? ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { formatDays } from '../../src/dates.js';
import { historyOf, type HistoryDay } from '../../src/store/history.js';
import { renderHistory } from '../../src/backfill/openmetrics.js';
import { dayEndSeconds, hourEndSeconds } from '../../src/store/history-series.js';
import type { DayStatus } from '../../src/store/store.js';
import type { DailyRow, HourlyRow } from '../../src/figures.js';

const MAIN = { name: 'main', appid: 'wx0123456789abcdef' };
const NEWS = { name: 'news', appid: 'wx00000000000000aa' };

/** Unix seconds of a Beijing wall-clock time, computed independently of the code under test. */
const bj = (isoLocal: string): number => Date.parse(`${isoLocal}+08:00`) / 1000;

function hour(refDate: string, refHour: number, callbackCount: number, failCount = 0, totalTimeCost = 0, maxTimeCost = 0): HourlyRow {
  return { refDate, refHour, callbackCount, failCount, totalTimeCost, maxTimeCost };
}

function daily(refDate: string, callbackCount: number, failCount = 0, totalTimeCost = 0, maxTimeCost = 0): DailyRow {
  return { refDate, callbackCount, failCount, totalTimeCost, maxTimeCost };
}

function days(stored: Record<string, DayStatus>, dailies: DailyRow[], hours: HourlyRow[], range: string[]): HistoryDay[] {
  return [...historyOf(range, new Map(Object.entries(stored)), dailies, hours).days];
}

/** Sample lines as [name, labels, value, timestamp]. */
function samples(text: string): [string, string, string, number][] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_]+)(\{[^}]*\}) (\S+) (\d+)$/.exec(l);
      assert.ok(m, `not a sample line with a timestamp: ${l}`);
      return [m[1] as string, m[2] as string, m[3] as string, Number(m[4])];
    });
}

function value(text: string, name: string, account: { name: string; appid: string }, ts: number): string | undefined {
  const labels = `{appid="${account.appid}",account="${account.name}"}`;
  return samples(text).find(([n, l, , t]) => n === name && l === labels && t === ts)?.[2];
}

describe('backfill: OpenMetrics rendering', () => {
  const D = '2026-03-09';
  const history = days(
    { [D]: 'complete' },
    [daily(D, 130, 3, 26_042, 5042)],
    [hour(D, 0, 10, 0, 1500, 300), hour(D, 13, 120, 3, 24_542, 5042)],
    [D],
  );
  const text = renderHistory([{ ...MAIN, days: history }]);

  it('stamps an hour at its end in Beijing time and a day at 00:00 Beijing of the next day', () => {
    assert.equal(hourEndSeconds(D, 13), bj('2026-03-09T14:00:00'));
    assert.equal(hourEndSeconds(D, 23), bj('2026-03-10T00:00:00'));
    assert.equal(dayEndSeconds(D), bj('2026-03-10T00:00:00'));
    assert.equal(value(text, 'wechat_interface_history_hourly_callbacks', MAIN, bj('2026-03-09T14:00:00')), '120');
    assert.equal(value(text, 'wechat_interface_history_hourly_callbacks', MAIN, bj('2026-03-09T01:00:00')), '10');
    assert.equal(value(text, 'wechat_interface_history_daily_callbacks', MAIN, bj('2026-03-10T00:00:00')), '130');
  });

  it('converts WeChat milliseconds to seconds', () => {
    const t = bj('2026-03-09T14:00:00');
    assert.equal(value(text, 'wechat_interface_history_hourly_failures', MAIN, t), '3');
    assert.equal(value(text, 'wechat_interface_history_hourly_time_cost_seconds', MAIN, t), '24.542');
    assert.equal(value(text, 'wechat_interface_history_hourly_latency_max_seconds', MAIN, t), '5.042');
    assert.equal(Number(value(text, 'wechat_interface_history_hourly_latency_average_seconds', MAIN, t)), 24_542 / 120 / 1000);
    assert.equal(value(text, 'wechat_interface_history_daily_latency_max_seconds', MAIN, bj('2026-03-10T00:00:00')), '5.042');
  });

  it('writes all 24 hours of a stored day: unlisted hours are zeros, without an average', () => {
    for (const family of ['callbacks', 'failures', 'time_cost_seconds', 'latency_max_seconds']) {
      const rows = samples(text).filter(([n]) => n === `wechat_interface_history_hourly_${family}`);
      assert.equal(rows.length, 24, family);
      assert.equal(value(text, `wechat_interface_history_hourly_${family}`, MAIN, bj('2026-03-09T06:00:00')), '0', family);
    }
    const averages = samples(text).filter(([n]) => n === 'wechat_interface_history_hourly_latency_average_seconds');
    assert.deepEqual(
      averages.map(([, , , t]) => t),
      [bj('2026-03-09T01:00:00'), bj('2026-03-09T14:00:00')],
    );
  });

  it('writes a day without traffic as zeros, and leaves days not stored out', () => {
    const two = days(
      { '2026-03-07': 'no_traffic', '2026-03-09': 'complete' },
      [daily('2026-03-09', 1, 0, 100, 100)],
      [hour('2026-03-09', 9, 1, 0, 100, 100)],
      ['2026-03-07', '2026-03-08', '2026-03-09'],
    );
    const out = renderHistory([{ ...MAIN, days: two }]);
    assert.equal(value(out, 'wechat_interface_history_daily_callbacks', MAIN, bj('2026-03-08T00:00:00')), '0');
    assert.equal(value(out, 'wechat_interface_history_hourly_callbacks', MAIN, bj('2026-03-07T21:00:00')), '0');
    assert.equal(value(out, 'wechat_interface_history_daily_latency_average_seconds', MAIN, bj('2026-03-08T00:00:00')), undefined);
    // 2026-03-08 is not stored: nothing between the two days' samples.
    const ts = samples(out)
      .filter(([n]) => n === 'wechat_interface_history_hourly_callbacks')
      .map(([, , , t]) => t);
    assert.equal(ts.length, 48);
    assert.ok(!ts.some((t) => t > bj('2026-03-08T00:00:00') && t <= bj('2026-03-09T00:00:00')));
  });

  it('keeps each family together, each series in ascending time, and ends with # EOF', () => {
    const range = ['2026-03-08', '2026-03-09'];
    const mk = (appid: string) =>
      days(
        { '2026-03-08': 'complete', '2026-03-09': 'complete' },
        range.map((d) => daily(d, 5, 1, 500, 200)),
        range.flatMap((d) => [hour(d, 3, 2, 1, 200, 150), hour(d, 20, 3, 0, 300, 200)]),
        range,
      );
    const out = renderHistory([
      { ...MAIN, days: mk(MAIN.appid) },
      { ...NEWS, days: mk(NEWS.appid) },
    ]);
    const lines = out.split('\n');
    assert.equal(lines.at(-1), '');
    assert.equal(lines.at(-2), '# EOF');
    assert.equal(lines.filter((l) => l === '# EOF').length, 1);

    // Families: a TYPE and a HELP line each, then only their own samples.
    const seen = new Set<string>();
    let current = '';
    for (const line of lines.slice(0, -2)) {
      const meta = /^# (TYPE|HELP) (\S+)/.exec(line);
      if (meta) {
        if (meta[1] === 'TYPE') {
          assert.ok(!seen.has(meta[2] as string), `family ${meta[2]} appears twice`);
          seen.add(meta[2] as string);
          current = meta[2] as string;
          assert.match(line, / gauge$/);
        }
        continue;
      }
      assert.equal(line.split('{')[0], current, `sample outside its family: ${line}`);
    }
    assert.equal(seen.size, 10);

    // Each series is contiguous and in ascending time.
    const lastTs = new Map<string, number>();
    const finished = new Set<string>();
    let previous = '';
    for (const [name, labels, , ts] of samples(out)) {
      const key = name + labels;
      if (key !== previous) {
        assert.ok(!finished.has(key), `series ${key} is split`);
        if (previous) finished.add(previous);
        previous = key;
      }
      assert.ok(ts > (lastTs.get(key) ?? -Infinity), `${key} not ascending at ${ts}`);
      lastTs.set(key, ts);
    }
    assert.ok(lastTs.has(`wechat_interface_history_daily_callbacks{appid="${NEWS.appid}",account="news"}`));
  });

  it('renders only # EOF when nothing is stored', () => {
    assert.equal(renderHistory([{ ...MAIN, days: [] }]), '# EOF\n');
  });

  it('escapes label values', () => {
    const out = renderHistory([{ name: 'a"b\\c', appid: MAIN.appid, days: history }]);
    assert.match(out, /account="a\\"b\\\\c"/);
  });
});

describe('backfill: stored rows as whole days', () => {
  it('lists the days not stored, ascending', () => {
    const h = historyOf(
      ['2026-03-01', '2026-03-02', '2026-03-03'],
      new Map([['2026-03-02', 'complete' as const]]),
      [daily('2026-03-02', 1)],
      [hour('2026-03-02', 4, 1)],
    );
    assert.deepEqual(h.missing, ['2026-03-01', '2026-03-03']);
    assert.equal(h.days.length, 1);
    assert.equal(h.days[0]?.hours.length, 24);
    assert.equal(h.days[0]?.hours[4]?.callbackCount, 1);
    assert.equal(h.days[0]?.hours[5]?.callbackCount, 0);
  });

  it('formats days as compact ranges', () => {
    assert.equal(
      formatDays(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-05', '2026-03-07', '2026-03-08']),
      '2026-02-27..2026-03-01, 2026-03-05, 2026-03-07..2026-03-08',
    );
    assert.equal(formatDays([]), '');
  });
});

import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { historyOf } from '../../src/store/history.js';
import { renderHistory } from '../../src/backfill/openmetrics.js';
import type { HistoryInput } from '../../src/store/history-series.js';
import { decodeWriteRequest, encodeWriteRequest, historyTimeSeries, sampleCount } from '../../src/remote-write/encode.js';
import type { DayStatus } from '../../src/store/store.js';

const MAIN = { name: 'main', appid: 'wx0123456789abcdef' };
const NEWS = { name: 'news', appid: 'wx00000000000000aa' };

function input(account: { name: string; appid: string }, stored: Record<string, DayStatus>, range: string[]): HistoryInput {
  const hours = Object.keys(stored)
    .filter((d) => stored[d] === 'complete')
    .flatMap((refDate) =>
      [0, 7, 13].map((refHour) => ({
        refDate,
        refHour,
        callbackCount: refHour * 10 + 1,
        failCount: refHour,
        totalTimeCost: 1500,
        maxTimeCost: 700,
      })),
    );
  const dailies = Object.keys(stored)
    .filter((d) => stored[d] === 'complete')
    .map((refDate) => ({ refDate, callbackCount: 213, failCount: 20, totalTimeCost: 4500, maxTimeCost: 700 }));
  return { ...account, days: historyOf(range, new Map(Object.entries(stored)), dailies, hours).days };
}

/** The OpenMetrics file's samples as `name|account|appid|value|ms`, the reference the wire must match. */
function fileSamples(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_]+)\{appid="([^"]+)",account="([^"]+)"\} (\S+) (\d+)$/.exec(l);
      assert.ok(m, l);
      return `${m[1]}|${m[3]}|${m[2]}|${Number(m[4])}|${Number(m[5]) * 1000}`;
    })
    .sort();
}

describe('remote-write encoder', () => {
  const accounts = [
    input(MAIN, { '2026-03-08': 'complete', '2026-03-09': 'no_traffic' }, ['2026-03-08', '2026-03-09']),
    input(NEWS, { '2026-03-09': 'complete' }, ['2026-03-09']),
  ];

  it('carries exactly the samples of the backfill file: names, labels, values, timestamps', () => {
    const decoded = decodeWriteRequest(encodeWriteRequest(historyTimeSeries(accounts)));
    const wire = decoded
      .flatMap((ts) => {
        const l = Object.fromEntries(ts.labels.map((x) => [x.name, x.value]));
        return ts.samples.map((s) => `${l['__name__']}|${l['account']}|${l['appid']}|${s.value}|${s.timestamp}`);
      })
      .sort();
    const file = fileSamples(renderHistory(accounts));
    assert.equal(wire.length, file.length);
    assert.deepEqual(wire, file);
    // 3 days: 24 hours × 4 figures + 1 daily × 4, plus the average where there were callbacks.
    assert.equal(sampleCount(historyTimeSeries(accounts)), file.length);
  });

  it('sorts labels by name (__name__ first) and samples by timestamp, as the spec requires', () => {
    for (const ts of decodeWriteRequest(encodeWriteRequest(historyTimeSeries(accounts)))) {
      assert.deepEqual(
        ts.labels.map((l) => l.name),
        ['__name__', 'account', 'appid'],
      );
      const times = ts.samples.map((s) => s.timestamp);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.ok(times.every((t) => Number.isInteger(t) && t % 3_600_000 === 0));
    }
  });

  it('is a snappy block holding a prometheus.WriteRequest that an independent decoder reads', () => {
    const body = encodeWriteRequest(historyTimeSeries([accounts[1] as HistoryInput]));
    const raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
    // The message types written out independently, with prompb's field numbers.
    const root = protobuf.Root.fromJSON({
      nested: {
        WR: { fields: { timeseries: { rule: 'repeated', type: 'TS', id: 1 } } },
        TS: { fields: { labels: { rule: 'repeated', type: 'L', id: 1 }, samples: { rule: 'repeated', type: 'S', id: 2 } } },
        L: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        S: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    });
    const WR = root.lookupType('WR');
    const msg = WR.toObject(WR.decode(raw), { longs: Number }) as {
      timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
    };
    const callbacks = msg.timeseries.find((t) => t.labels[0]?.value === 'wechat_interface_history_hourly_callbacks');
    assert.ok(callbacks);
    assert.equal(callbacks.samples.length, 24);
    // Hour 13:00–14:00 Beijing of 2026-03-09 is stamped 14:00 Beijing, in milliseconds.
    const at14 = callbacks.samples.find((s) => s.timestamp === Date.parse('2026-03-09T14:00:00+08:00'));
    assert.equal(at14?.value, 131);
  });
});

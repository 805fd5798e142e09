/**
 * Prometheus remote-write 1.0 bodies: a `prometheus.WriteRequest` protobuf, snappy-compressed in
 * the block format (https://prometheus.io/docs/specs/remote_write_spec/). Built from the same
 * series generator as the backfill file, so both carry identical names, labels and timestamps.
 */
import protobuf from 'protobufjs';
import snappy from 'snappy';
import { historySeries, type HistoryInput, type HistorySeries } from '../store/history-series.js';

// The messages of prompb/remote.proto and prompb/types.proto that remote write 1.0 uses, with
// their field numbers (https://github.com/prometheus/prometheus/tree/main/prompb). Metadata
// (field 3) is optional in the spec and left out: the receivers take the samples without it.
const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

const WriteRequest = protobuf.parse(PROTO).root.lookupType('prometheus.WriteRequest');

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** One series as the protocol carries it: timestamps in milliseconds. */
export interface TimeSeries {
  readonly labels: readonly Label[];
  readonly samples: readonly { readonly value: number; readonly timestamp: number }[];
}

/** The spec's label order: sorted by name (byte order), so `__name__` comes first. */
function sortedLabels(labels: Readonly<Record<string, string>>): Label[] {
  return Object.keys(labels)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: labels[name] as string }));
}

/** A history series as a remote-write series: labels sorted, samples in ascending time (ms). */
export function toTimeSeries(s: HistorySeries): TimeSeries {
  const samples = s.samples.map(([value, ts]) => ({ value, timestamp: ts * 1000 })).sort((a, b) => a.timestamp - b.timestamp);
  return { labels: sortedLabels({ __name__: s.name, appid: s.appid, account: s.account }), samples };
}

/** Every history series of the given days, as remote-write series (pure). */
export function historyTimeSeries(accounts: readonly HistoryInput[]): TimeSeries[] {
  return [...historySeries(accounts)].map(toTimeSeries);
}

/** The number of samples in `series`. */
export function sampleCount(series: readonly TimeSeries[]): number {
  return series.reduce((n, s) => n + s.samples.length, 0);
}

/** A snappy-compressed WriteRequest holding `series`. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Buffer {
  const message = WriteRequest.fromObject({ timeseries: series });
  return snappy.compressSync(Buffer.from(WriteRequest.encode(message).finish()));
}

/** The inverse of encodeWriteRequest (tests, and a receiver written in this project). */
export function decodeWriteRequest(body: Buffer): TimeSeries[] {
  const raw = snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
  const decoded = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number, defaults: true }) as { timeseries: TimeSeries[] };
  return decoded.timeseries;
}

import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../render.js';
import type { LiveFamilies, LiveRun } from './live-families.js';
import { gzipMember, gzipPieceSync, type GzipPiece } from './gzip-member.js';
import type { PreparedExposition, PreparedFamilies } from './prepared-exposition.js';

export interface ScrapeRequest {
  readonly openMetrics: boolean;
  readonly gzip: boolean;
}

/** A response body as the chunks to write, and its length for Content-Length. */
export interface ScrapeBody {
  readonly contentType: string;
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

interface Layout {
  readonly contentType: string;
  /** Between two families. */
  readonly sep: Buffer;
  readonly sepGzip: GzipPiece;
  /** After the last family. */
  readonly tail: Buffer;
  readonly tailGzip: GzipPiece;
}

// How prom-client joins families (registry.js metrics()): a blank line between them in the text
// format; OpenMetrics has no blank lines and ends with `# EOF`.
function layout(contentType: string, sep: string, tail: string): Layout {
  const s = Buffer.from(sep);
  const t = Buffer.from(tail);
  return { contentType, sep: s, sepGzip: gzipPieceSync(s), tail: t, tailGzip: gzipPieceSync(t) };
}
const TEXT = layout(PROMETHEUS_CONTENT_TYPE, '\n\n', '\n');
const OPENMETRICS = layout(OPENMETRICS_CONTENT_TYPE, '\n', '\n# EOF\n');

function interleave<T>(items: readonly T[], sep: T, tail: T): T[] {
  const out: T[] = [];
  items.forEach((item, i) => out.push(...(i === 0 ? [] : [sep]), item));
  out.push(tail);
  return out;
}

function assembleBody(format: Layout, gzip: boolean, runs: readonly LiveRun[], families: PreparedFamilies): ScrapeBody {
  const present = runs.filter((r) => r.text.length > 0);
  // The prepared Buffers themselves, written with one writev and shared by every scrape until
  // they change: assembling a body (each time the process metrics are sampled again) copies
  // nothing, and concurrent scrapes hold no copies.
  const chunks = gzip
    ? gzipMember(interleave([...present.map((r) => r.gzip), ...families.gzip], format.sepGzip, format.tailGzip))
    : interleave([...present.map((r) => r.text), ...families.blocks], format.sep, format.tail);
  return { contentType: format.contentType, chunks, length: chunks.reduce((n, c) => n + c.length, 0) };
}

/**
 * Scrape bodies: the registry's live families (API counters, process metrics) followed by the
 * prepared account families, exactly as one registry holding all of them would have rendered
 * them. gzip compresses only the live part and splices in the families compressed when they were
 * prepared. A body is assembled once and served until one of its parts changes.
 */
export class ScrapeBodies {
  readonly #live: LiveFamilies;
  readonly #prepared: PreparedExposition;
  readonly #last = new Map<string, { runs: readonly LiveRun[]; families: PreparedFamilies; body: ScrapeBody }>();

  constructor(live: LiveFamilies, prepared: PreparedExposition) {
    this.#live = live;
    this.#prepared = prepared;
  }

  async body(request: ScrapeRequest): Promise<ScrapeBody> {
    const [runs, families] = await Promise.all([this.#live.runs(request.openMetrics), this.#prepared.current()]);
    const key = `${request.openMetrics} ${request.gzip}`;
    // Bodies of an earlier preparation would keep its family blocks alive: drop them all.
    if ([...this.#last.values()].some((l) => l.families !== families)) this.#last.clear();
    const last = this.#last.get(key);
    if (last && last.families === families && last.runs.length === runs.length && last.runs.every((r, i) => r === runs[i]))
      return last.body;
    const body = assembleBody(request.openMetrics ? OPENMETRICS : TEXT, request.gzip, runs, families);
    this.#last.set(key, { runs, families, body });
    return body;
  }
}

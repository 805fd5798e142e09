/** A remote-write receiver on 127.0.0.1 for tests: decodes every request and answers as told. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { decodeWriteRequest, type TimeSeries } from '../../../src/remote-write/encode.js';

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly series: TimeSeries[];
}

export class TestReceiver {
  readonly received: Received[] = [];
  /** The status to answer (and its body); `hold` never answers. */
  answer: { status: number; body?: string } | 'hold' = { status: 204 };
  readonly #server: Server;
  readonly #held = new Set<() => void>();
  #inFlight = 0;

  /** Requests held unanswered so far. */
  get held(): number {
    return this.#held.size;
  }

  /**
   * Held requests whose connection is still open: the sender is still waiting for the answer.
   * A held request stops counting once the sender gives up (its timeout) or dies.
   */
  get inFlight(): number {
    return this.#inFlight;
  }

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.answer;
        if (answer === 'hold') {
          this.#held.add(() => res.destroy());
          this.#inFlight++;
          res.once('close', () => this.#inFlight--);
          return;
        }
        if (answer.status < 300) this.received.push({ headers: req.headers, series: decodeWriteRequest(Buffer.concat(chunks)) });
        res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body ?? '');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}/api/v1/write`;
  }

  /** Samples accepted, as `name|account|ms` → value. */
  samples(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.received) {
      for (const ts of r.series) {
        const l = Object.fromEntries(ts.labels.map((x) => [x.name, x.value]));
        for (const s of ts.samples) out.set(`${l['__name__']}|${l['account']}|${s.timestamp}`, s.value);
      }
    }
    return out;
  }

  sampleCount(): number {
    return this.received.reduce((n, r) => n + r.series.reduce((m, s) => m + s.samples.length, 0), 0);
  }

  async close(): Promise<void> {
    for (const drop of this.#held) drop();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

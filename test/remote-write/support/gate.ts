/**
 * A pass-through in front of a real receiver, so a test can hold a push in flight (to restart
 * the exporter in the middle of it). Forwarding to a receiver that is down drops the connection,
 * as the receiver itself would.
 */
import { createServer, type Server } from 'node:http';

export class Gate {
  mode: 'hold' | 'forward' = 'forward';
  /** Requests held so far. */
  held = 0;
  /** Held requests whose connection is still open: the exporter still waits for the answer. */
  inFlight = 0;
  readonly #server: Server;

  constructor(readonly upstream: string) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.mode === 'hold') {
          this.held++;
          this.inFlight++;
          res.once('close', () => this.inFlight--);
          return; // never answered; the socket ends when the exporter gives up or the gate closes
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)) as [string, string][],
        );
        fetch(this.upstream, { method: 'POST', headers, body: Buffer.concat(chunks) })
          .then(async (up) => res.writeHead(up.status).end(Buffer.from(await up.arrayBuffer())))
          .catch(() => req.socket.destroy());
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}/api/v1/write`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** An Alertmanager webhook receiver on 127.0.0.1 that records every notification it is sent. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert of a webhook notification (Alertmanager's webhook payload, version "4"). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
}

export interface WebhookNotification {
  readonly version: string;
  readonly status: string;
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly WebhookAlert[];
}

export class WebhookReceiver {
  /** Notifications in order of arrival. */
  readonly notifications: WebhookNotification[] = [];
  /** Requests that were not a JSON notification, kept to explain a failure. */
  readonly rejected: string[] = [];
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          if (req.method !== 'POST') throw new Error(`method ${req.method ?? '?'}`);
          this.notifications.push(JSON.parse(body) as WebhookNotification);
          res.writeHead(200).end();
        } catch (err) {
          this.rejected.push(`${req.method ?? '?'} ${req.url ?? '?'}: ${(err as Error).message}: ${body.slice(0, 200)}`);
          res.writeHead(400).end();
        }
      });
    });
  }

  /** Resolves the URL to give Alertmanager. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/alerts`;
  }

  /** Every alert received, flattened over notifications. */
  alerts(): WebhookAlert[] {
    return this.notifications.flatMap((n) => n.alerts);
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

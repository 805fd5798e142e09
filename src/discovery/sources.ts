import { readFile } from 'node:fs/promises';
import { request, type Dispatcher } from 'undici';
import { parseYaml } from '../config/load.js';
import { ConfigError } from '../errors.js';

/**
 * Reads one discovery file: YAML or JSON (JSON is YAML), parsed but not yet validated. A file that
 * cannot be read or parsed throws, and its source keeps its last good list.
 */
export async function readDiscoveryFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`discovery file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  // JSON is YAML, but JSON.parse is some fifty times faster than the YAML parser on big lists.
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError([`discovery file ${path}: not valid JSON (${(err as Error).message})`]);
    }
  }
  return parseYaml(text, `discovery file ${path}`);
}

export interface HttpSourceOptions {
  readonly url: string;
  readonly bearerTokenFile?: string | undefined;
  readonly timeoutMs: number;
  /** @default undici's global dispatcher */
  readonly dispatcher?: Dispatcher;
}

/** The URL as shown in messages and labels: no credentials, no query (either could hold a secret). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * `GET url` → a JSON document, with `Authorization: Bearer <token>` read from `bearerTokenFile` at
 * each request so that a rotated Kubernetes Secret is used without a restart.
 */
export async function fetchDiscoveryUrl(options: HttpSourceOptions): Promise<unknown> {
  const where = `discovery URL ${displayUrl(options.url)}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.bearerTokenFile !== undefined) {
    let token: string;
    try {
      token = (await readFile(options.bearerTokenFile, 'utf8')).trim();
    } catch (err) {
      throw new ConfigError([
        `${where}: cannot read bearerTokenFile ${options.bearerTokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      ]);
    }
    headers['authorization'] = `Bearer ${token}`;
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await request(options.url, {
      method: 'GET',
      headers,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (err) {
    throw new ConfigError([`${where}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}: request failed`]);
  }
  const body = await res.body.text().catch(() => '');
  if (res.statusCode !== 200) throw new ConfigError([`${where}: HTTP ${res.statusCode} (expected 200)`]);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ConfigError([`${where}: the answer is not JSON`]);
  }
}

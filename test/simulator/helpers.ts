/** Shared plumbing for the simulator tests: real HTTP over 127.0.0.1 with the global fetch. */
import { WechatSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

export interface HttpResult {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: any;
}

export async function startSimulator(options: SimulatorOptions): Promise<WechatSimulator> {
  const sim = new WechatSimulator(options);
  await sim.listen();
  return sim;
}

async function result(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

export async function get(url: string, init: RequestInit = {}): Promise<HttpResult> {
  return result(await fetch(url, init));
}

/** POSTs `body` (JSON-encoded unless already a string). */
export async function post(url: string, body: unknown, init: RequestInit = {}): Promise<HttpResult> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return result(await fetch(url, { ...init, method: 'POST', headers: { 'content-type': 'application/json' }, body: payload }));
}

export function classicTokenUrl(sim: WechatSimulator, appid: string, secret: string): string {
  const q = new URLSearchParams({ grant_type: 'client_credential', appid, secret });
  return `${sim.url}/cgi-bin/token?${q}`;
}

export async function classicToken(sim: WechatSimulator, appid: string, secret: string): Promise<string> {
  const res = await get(classicTokenUrl(sim, appid, secret));
  if (typeof res.json?.access_token !== 'string') throw new Error(`no token: ${res.text}`);
  return res.json.access_token;
}

export async function stableToken(sim: WechatSimulator, appid: string, secret: string, forceRefresh = false): Promise<HttpResult> {
  return post(`${sim.url}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid, secret, force_refresh: forceRefresh });
}

export type DataApiName = 'getinterfacesummary' | 'getinterfacesummaryhour';

export async function fetchData(sim: WechatSimulator, api: DataApiName, token: string, begin: string, end: string): Promise<HttpResult> {
  return post(`${sim.url}/datacube/${api}?access_token=${encodeURIComponent(token)}`, { begin_date: begin, end_date: end });
}

import { UsageError } from '../errors.js';

/** `--web.listen-address=[HOST]:PORT`: `:10071`, `127.0.0.1:0`, `[::1]:9000`. Undefined host: all interfaces. */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UsageError(`--web.listen-address: expected [HOST]:PORT such as :10071 or 127.0.0.1:10071, got ${JSON.stringify(text)}`);
  return { host: m[1] ?? (m[2] || undefined), port };
}

/** Samples of a Prometheus text exposition, keyed `name{a="1",b="2"}` with labels as written. */
export function parseSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([^\s{]+(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** The value of the sample `name` whose labels include `labels`, or undefined. */
export function valueOf(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const [key, value] of samples) {
    const [n, rest = ''] = key.split('{');
    if (n !== name) continue;
    if (Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) return value;
  }
  return undefined;
}

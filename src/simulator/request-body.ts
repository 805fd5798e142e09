/** A POST body as WeChat judges it: missing, not a JSON object, or a JSON object. */
export type ParsedBody =
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'object'; readonly value: Readonly<Record<string, unknown>> };

export function parseBody(raw: string): ParsedBody {
  if (raw.trim() === '') return { kind: 'empty' };
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid' };
    return { kind: 'object', value: value as Record<string, unknown> };
  } catch {
    return { kind: 'invalid' };
  }
}

/** A field of an object body, or undefined. */
export function field(body: ParsedBody, name: string): unknown {
  return body.kind === 'object' ? body.value[name] : undefined;
}

/** A string field, or undefined when absent or of another type. */
export function stringField(body: ParsedBody, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

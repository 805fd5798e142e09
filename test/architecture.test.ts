import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The layers of src/, lowest first (docs/architecture.md). A module may import its own layer and
 * the ones below, never one above: the WeChat client knows nothing of the store, the store nothing
 * of polls, the metrics nothing of HTTP, and only the commands know the runtime.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['clock', 'dates', 'date-range', 'figures', 'errcodes', 'errors', 'redact', 'log', 'version', 'process-guards', 'launch'],
  ['config'],
  ['wechat', 'store', 'simulator', 'discovery'],
  ['poll', 'quota', 'reload'],
  ['metrics', 'remote-write'],
  ['http'],
  ['exporter', 'exporter-app', 'demo'],
  ['runtime'],
  ['backfill', 'daemon'],
  ['command-line', 'cli'],
];

/** The unit of a file: its folder under src/, or its own name for a top-level file. */
function unitOf(file: string): string {
  const rel = relative(SRC, file);
  const [first] = rel.split('/');
  return (first ?? rel).replace(/\.ts$/, '');
}

function layerOf(unit: string): number {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  assert.ok(i >= 0, `src/${unit} is in no layer of test/architecture.test.ts: add it where it belongs`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('architecture', () => {
  const files = sources(SRC);

  it('no source file imports a layer above its own', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = unitOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'));
        const to = unitOf(target);
        if (layerOf(to) > layerOf(from)) violations.push(`src/${relative(SRC, file)} imports ${to} (a layer above ${from})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('keeps files small: none over 250 lines, the exporter under 150', () => {
    const long = files
      .map((f) => ({ f: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter(({ f, lines }) => lines > (f === 'exporter.ts' ? 150 : 250));
    assert.deepEqual(long, []);
  });
});

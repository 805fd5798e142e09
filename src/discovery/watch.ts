import { watch, type FSWatcher } from 'chokidar';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';

/** The directory to watch for a glob: its longest leading part without a glob character. */
export function watchRoot(pattern: string): string {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  if (!isDynamicPattern(abs)) return dirname(abs);
  const parts = abs.split(sep);
  const fixed: string[] = [];
  for (const part of parts) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return fixed.join(sep) || sep;
}

/**
 * Calls `onChange` (debounced) when anything changes under the globs' directories, and every
 * `intervalMs` whatever happens: file events are missed on some volumes (Kubernetes swaps a
 * ConfigMap's `..data` symlink; NFS sends none), the interval catches those.
 */
export function watchSources(options: {
  readonly patterns: readonly string[];
  readonly intervalMs: number;
  readonly onChange: () => void;
  /** @default 250 */
  readonly debounceMs?: number;
}): { close(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    clearTimeout(timer);
    timer = setTimeout(options.onChange, options.debounceMs ?? 250);
  };
  const roots = [...new Set(options.patterns.map(watchRoot))];
  const watcher: FSWatcher | undefined = roots.length ? watch(roots, { ignoreInitial: true, depth: 8 }) : undefined;
  watcher?.on('all', fire);
  // A missing directory is not an error: it may appear later, and the interval reads it then.
  watcher?.on('error', () => undefined);
  const interval = setInterval(options.onChange, options.intervalMs);
  interval.unref();
  return {
    async close() {
      clearTimeout(timer);
      clearInterval(interval);
      await watcher?.close();
    },
  };
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildInfo } from './metrics/exporter-metrics.js';

/** The package's version, read from its package.json (found upwards from this file, in src/ or dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wechat-interface-exporter' && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** `wechat_exporter_build_info`: the revision comes from the build (WECHAT_EXPORTER_REVISION, set in the image). */
export function buildInfo(env: Readonly<Record<string, string | undefined>>): BuildInfo {
  return { version: packageVersion(), revision: env['WECHAT_EXPORTER_REVISION'] || 'unknown', nodejs: process.version };
}

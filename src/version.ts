import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The labels of `wechat_exporter_build_info`. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodejs: string;
}

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

/**
 * `--version`, in the shape of Prometheus' version.Print (github.com/prometheus/common/version).
 * The image sets WECHAT_EXPORTER_REVISION, _BRANCH, _BUILD_USER and _BUILD_DATE at build time.
 */
export function versionText(env: Readonly<Record<string, string | undefined>>): string {
  const build = buildInfo(env);
  const field = (name: string): string => env[`WECHAT_EXPORTER_${name}`] || 'unknown';
  return [
    `wechat-interface-exporter, version ${build.version} (branch: ${field('BRANCH')}, revision: ${build.revision})`,
    `  build user:       ${field('BUILD_USER')}`,
    `  build date:       ${field('BUILD_DATE')}`,
    `  node version:     ${build.nodejs}`,
    `  platform:         ${process.platform}/${process.arch}`,
    `  tags:             unknown`,
    '',
  ].join('\n');
}

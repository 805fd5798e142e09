import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Env = Readonly<Record<string, string | undefined>>;

/** The labels of `wechat_exporter_build_info`. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodejs: string;
}

/**
 * What `npm run build` records of the build (scripts/build-info.ts), as Prometheus' promu passes
 * it to github.com/prometheus/common/version: a field it could not learn is left out.
 */
export interface RecordedBuild {
  /** `git rev-parse --abbrev-ref HEAD` (`HEAD` when detached, as promu prints it). */
  readonly branch?: string;
  /** `git rev-parse HEAD`. */
  readonly revision?: string;
  /** `user@host`. */
  readonly buildUser?: string;
  /** UTC, `YYYYMMDD-HH:MM:SS` (promu's `20060102-15:04:05`). */
  readonly buildDate?: string;
}

/** Written by `npm run build` next to the compiled version.js (dist/src/); absent in a run from source. */
export const BUILD_INFO_FILE = 'build-info.json';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The package's version, read from its package.json (found upwards from this file, in src/ or dist/src/). */
function packageVersion(): string {
  let dir = HERE;
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

/** The build's record (`file`: the one next to this module); its string fields only, none if it is absent or unreadable. */
export function readRecordedBuild(file = join(HERE, BUILD_INFO_FILE)): RecordedBuild {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  const fields = ['branch', 'revision', 'buildUser', 'buildDate'] as const;
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return Object.fromEntries(fields.flatMap((f) => (typeof record[f] === 'string' && record[f] !== '' ? [[f, record[f]]] : [])));
}

/**
 * One field of the build: the image's value first (its build args set WECHAT_EXPORTER_REVISION,
 * _BUILD_DATE; a checkout's record would be less exact there, made without .git), then what
 * `npm run build` recorded, else `unknown`.
 */
function buildField(env: Env, recorded: RecordedBuild, name: string, key: keyof RecordedBuild): string {
  return env[`WECHAT_EXPORTER_${name}`] || recorded[key] || 'unknown';
}

/** `wechat_exporter_build_info`: the same revision as `--version`. */
export function buildInfo(env: Env, recorded: RecordedBuild = readRecordedBuild()): BuildInfo {
  return { version: packageVersion(), revision: buildField(env, recorded, 'REVISION', 'revision'), nodejs: process.version };
}

/**
 * `--version`, in the shape of Prometheus' version.Print (github.com/prometheus/common/version).
 * WECHAT_EXPORTER_REVISION, _BRANCH, _BUILD_USER and _BUILD_DATE (the image sets some) win over
 * what `npm run build` recorded.
 */
export function versionText(env: Env, recorded: RecordedBuild = readRecordedBuild()): string {
  const build = buildInfo(env, recorded);
  return [
    `wechat-interface-exporter, version ${build.version} (branch: ${buildField(env, recorded, 'BRANCH', 'branch')}, revision: ${build.revision})`,
    `  build user:       ${buildField(env, recorded, 'BUILD_USER', 'buildUser')}`,
    `  build date:       ${buildField(env, recorded, 'BUILD_DATE', 'buildDate')}`,
    `  node version:     ${build.nodejs}`,
    `  platform:         ${process.platform}/${process.arch}`,
    `  tags:             unknown`,
    '',
  ].join('\n');
}

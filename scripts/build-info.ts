/**
 * Run by `npm run build` after tsc, in the checkout: records the branch, revision, build user and
 * build date in dist/src/build-info.json, as Prometheus' promu passes them to
 * github.com/prometheus/common/version with -ldflags. src/version.ts reads the file for
 * `--version` and `wechat_exporter_build_info`. Outside a git checkout, or without git, branch
 * and revision are left out (they print `unknown`); the image's build args win over the file.
 *
 *   node --import tsx scripts/build-info.ts [OUT_DIR]   # default dist/src
 *
 * SOURCE_DATE_EPOCH (seconds), as reproducible builds set it, replaces the current time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { BUILD_INFO_FILE, type RecordedBuild } from '../src/version.js';

/** git's answer in the current folder, or undefined when git is missing or this is not a checkout. */
function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** promu's `{{date "20060102-15:04:05"}}`: UTC. */
function promuDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-07T18:03:30.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19)}`;
}

function buildDate(epoch: string | undefined): string {
  if (epoch === undefined || epoch === '') return promuDate(Date.now());
  if (!/^\d+$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH: expected whole seconds since 1970, got ${JSON.stringify(epoch)}`);
  return promuDate(Number(epoch) * 1000);
}

/** promu's `{{user}}@{{host}}`; a uid without a passwd entry (some containers) has no name. */
function buildUser(): string | undefined {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env['USER'];
  }
  return user ? `${user}@${hostname()}` : undefined;
}

const outDir = process.argv[2] ?? join('dist', 'src');
try {
  const record: RecordedBuild = {
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    revision: git('rev-parse', 'HEAD'),
    buildUser: buildUser(),
    buildDate: buildDate(process.env['SOURCE_DATE_EPOCH']),
  };
  mkdirSync(outDir, { recursive: true });
  // JSON.stringify leaves out the fields that are undefined.
  writeFileSync(join(outDir, BUILD_INFO_FILE), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`${join(outDir, BUILD_INFO_FILE)}: revision ${record.revision ?? 'unknown'}, branch ${record.branch ?? 'unknown'}`);
} catch (err) {
  console.error(`build-info: ${(err as Error).message}`);
  process.exitCode = 2;
}

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_INFO_FILE, buildInfo, readRecordedBuild, versionText } from '../src/version.js';
import { tempDir } from './helpers/exporter-harness.js';

const SCRIPT = fileURLToPath(new URL('../scripts/build-info.ts', import.meta.url));
// Resolved here: the script runs in folders without node_modules.
const TSX = import.meta.resolve('tsx');

/** Runs scripts/build-info.ts in `cwd`, writing into `out`, as `npm run build` runs it in the checkout. */
function record(cwd: string, out: string, env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, ['--import', TSX, SCRIPT, out], {
    cwd,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    encoding: 'utf8',
  });
}

const hasGit = spawnSync('git', ['--version']).status === 0;

describe('version: what npm run build records, and what --version and build_info show', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('wx-version-')));
  afterEach(() => tmp.remove());

  it('in a git checkout: branch, revision and build date as promu records them; --version and build_info agree', function () {
    if (!hasGit) {
      console.log('      skipped: git is not installed');
      this.skip();
    }
    const repo = join(tmp.dir, 'checkout');
    mkdirSync(repo);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'release-1.2');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'first');
    const revision = git('rev-parse', 'HEAD');

    const out = join(tmp.dir, 'dist', 'src');
    const run = record(repo, out, { SOURCE_DATE_EPOCH: '1764986645' });
    assert.equal(run.status, 0, run.stderr);
    const recorded = readRecordedBuild(join(out, BUILD_INFO_FILE));
    assert.equal(recorded.revision, revision);
    assert.match(revision, /^[0-9a-f]{40}$/);
    assert.equal(recorded.branch, 'release-1.2');
    assert.equal(recorded.buildDate, '20251206-02:04:05', 'UTC, 20060102-15:04:05');
    assert.match(recorded.buildUser ?? '', /^[^@\s]+@\S+$/);

    const text = versionText({}, recorded);
    assert.match(text, new RegExp(`^wechat-interface-exporter, version \\S+ \\(branch: release-1\\.2, revision: ${revision}\\)\n`));
    assert.match(text, /^ {2}build date: {7}20251206-02:04:05$/m);
    assert.match(text, new RegExp(`^ {2}build user: {7}${recorded.buildUser ?? '-'}$`, 'm'));
    assert.equal(buildInfo({}, recorded).revision, revision);

    // Detached, as CI checks a commit out: promu prints the branch as HEAD.
    git('checkout', '-q', '--detach');
    assert.equal(record(repo, out).status, 0);
    assert.equal(readRecordedBuild(join(out, BUILD_INFO_FILE)).branch, 'HEAD');
  });

  it('outside a checkout, or without git, branch and revision stay unknown and the build still succeeds', () => {
    const plain = join(tmp.dir, 'unpacked');
    mkdirSync(plain);
    const noGit = join(tmp.dir, 'no-git-bin');
    mkdirSync(noGit);
    for (const [what, env] of [
      ['not a checkout', {}],
      ['no git on PATH', { PATH: noGit }],
    ] as const) {
      const out = join(tmp.dir, what.replaceAll(' ', '-'));
      const run = record(plain, out, env);
      assert.equal(run.status, 0, `${what}: ${run.stderr}`);
      const recorded = readRecordedBuild(join(out, BUILD_INFO_FILE));
      assert.equal(recorded.revision, undefined, what);
      assert.equal(recorded.branch, undefined, what);
      assert.match(recorded.buildDate ?? '', /^\d{8}-\d{2}:\d{2}:\d{2}$/, what);
      assert.match(versionText({}, recorded), /\(branch: unknown, revision: unknown\)/, what);
      assert.equal(buildInfo({}, recorded).revision, 'unknown', what);
    }
  });

  it("the image's values (WECHAT_EXPORTER_REVISION, _BUILD_DATE, ...) win over the record", () => {
    const recorded = { branch: 'main', revision: 'a'.repeat(40), buildUser: 'dev@box', buildDate: '20260101-00:00:00' };
    const env = { WECHAT_EXPORTER_REVISION: 'img123', WECHAT_EXPORTER_BUILD_DATE: '2026-11-29T02:00:00Z' };
    const text = versionText(env, recorded);
    assert.match(text, /\(branch: main, revision: img123\)/);
    assert.match(text, /^ {2}build date: {7}2026-11-29T02:00:00Z$/m);
    assert.match(text, /^ {2}build user: {7}dev@box$/m);
    assert.equal(buildInfo(env, recorded).revision, 'img123');
    // The image's default build arg leaves the variable empty: the record shows.
    assert.match(versionText({ WECHAT_EXPORTER_BUILD_DATE: '' }, recorded), /^ {2}build date: {7}20260101-00:00:00$/m);
  });

  it('a missing, damaged or odd record reads as nothing recorded', () => {
    const file = join(tmp.dir, BUILD_INFO_FILE);
    assert.deepEqual(readRecordedBuild(file), {});
    writeFileSync(file, '{"revision": ');
    assert.deepEqual(readRecordedBuild(file), {});
    writeFileSync(file, JSON.stringify({ revision: 42, branch: '', buildDate: '20260101-00:00:00', extra: 'x' }));
    assert.deepEqual(readRecordedBuild(file), { buildDate: '20260101-00:00:00' });
    writeFileSync(file, 'null');
    assert.deepEqual(readRecordedBuild(file), {});
  });

  it('a bad SOURCE_DATE_EPOCH fails the build, naming it', () => {
    const out = join(tmp.dir, 'out');
    const run = record(tmp.dir, out, { SOURCE_DATE_EPOCH: 'yesterday' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /SOURCE_DATE_EPOCH: expected whole seconds since 1970, got "yesterday"/);
    assert.throws(() => readFileSync(join(out, BUILD_INFO_FILE)), /ENOENT/);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's headless Chromium, cut off from everything but the page it is given. */
function flags(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    // Console messages (a CSP refusal among them) go to stderr, where the tests look for them.
    '--enable-logging=stderr',
    '--v=0',
  ];
}

export interface BrowserRun {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `chromium` on `url` with `extra` flags (`--dump-dom`, `--screenshot=FILE`) in a new
 * profile, asynchronously so that a server in this process can answer it.
 */
export async function chromium(binary: string, url: string, extra: readonly string[]): Promise<BrowserRun> {
  const profile = mkdtempSync(join(tmpdir(), 'wx-chromium-'));
  try {
    const { stdout, stderr } = await run(binary, [...flags(profile), ...extra, url], { maxBuffer: 64 * 2 ** 20, timeout: 60_000 });
    return { stdout, stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

import { spawnSync } from 'node:child_process';

/** The path of `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Skips the running test, saying why, when a tool is missing. */
export function requireTool(ctx: Mocha.Context, name: string): string {
  const path = which(name);
  if (!path) {
    console.log(`      skipped: ${name} is not on PATH (CI installs it with apt-get)`);
    ctx.skip();
  }
  return path;
}

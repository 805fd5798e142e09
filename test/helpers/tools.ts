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

/**
 * `promtool check metrics` on `exposition`: its remarks, less the one about a name the contract
 * fixes (`wechat_exporter_store_pruned_days_total` counts account-days, records rather than a
 * duration, which promtool's unit lint cannot tell). Exit 3 is promtool's "lint problems".
 */
export function promtoolRemarks(promtool: string, exposition: string | Buffer): { remarks: string[]; status: number | null } {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  const remarks = (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('wechat_exporter_store_pruned_days_total use base unit'));
  return { remarks, status: remarks.length === 0 && r.status === 3 ? 0 : r.status };
}

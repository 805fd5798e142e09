import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { MEMORY_ENV, MEMORY_NODE_FLAGS, MEMORY_OPT_OUT } from '../../src/launch/memory.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { exporterPid, get, runCli, startDemo, waitFor, type Daemon } from '../helpers/daemon-process.js';

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
const environ = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
const children = (pid: number): string => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();

describe('launch: plain `node cli` runs with the image memory flags (real processes)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let run: Daemon | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    tmp.remove();
  });

  async function demo(env: Record<string, string> = {}): Promise<{ run: Daemon; url: string }> {
    const d = await startDemo(tmp.dir, { env });
    run = d.run;
    return d;
  }

  it('the exporter runs with the flags and glibc variable; SIGTERM to the started process ends it with 0', async () => {
    const d = await demo();
    const pid = exporterPid(d.run.child);
    for (const flag of MEMORY_NODE_FLAGS) assert.ok(cmdline(pid).includes(flag), `${flag} in ${cmdline(pid).join(' ')}`);
    for (const [name, value] of Object.entries(MEMORY_ENV)) assert.ok(environ(pid).includes(`${name}=${value}`), name);
    d.run.child.kill('SIGTERM');
    assert.equal(await d.run.exited, 0);
    assert.equal(existsSync(`/proc/${pid}`), false, 'the exporter itself has ended too');
    assert.match(d.run.stderr(), /shutting down|stopped|SIGTERM/i);
  });

  it('SIGHUP reaches the exporter (a reload), and the exit code of a bad flag comes back (2)', async () => {
    const d = await demo();
    d.run.child.kill('SIGHUP');
    await waitFor('the SIGHUP log line', () => /SIGHUP: reloading the configuration/.test(d.run.stderr()));
    assert.equal((await get(`${d.url}/-/healthy`))?.status, 200);
    d.run.child.kill('SIGINT');
    assert.equal(await d.run.exited, 0);
    const bad = runCli(['--no-such-flag']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /unknown option '--no-such-flag'/);
  });

  it('where node cannot replace itself, the exporter stops when the process it was started from is killed', async function () {
    const d = await demo();
    const pid = exporterPid(d.run.child);
    if (pid === d.run.child.pid) {
      console.log(`      (skipped: node ${process.version} replaced itself in place, no parent to lose)`);
      this.skip();
    }
    d.run.child.kill('SIGKILL');
    await d.run.exited;
    await waitFor('the orphaned exporter to stop', () => !existsSync(`/proc/${pid}`), 15_000);
  });

  it(`${MEMORY_OPT_OUT}=off: node runs as started, one process, no flags added`, async () => {
    const d = await demo({ [MEMORY_OPT_OUT]: 'off' });
    const pid = d.run.child.pid as number;
    for (const flag of MEMORY_NODE_FLAGS) assert.ok(!cmdline(pid).includes(flag), flag);
    assert.equal(children(pid), '', 'no second process');
  });
});

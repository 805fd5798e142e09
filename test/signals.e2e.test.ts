import assert from 'node:assert/strict';
import { tempDir } from './helpers/exporter-harness.js';
import { get, startDemo as startDemoIn, waitFor, type Daemon } from './helpers/daemon-process.js';

const startDemo = (dir: string): ReturnType<typeof startDemoIn> => startDemoIn(dir, { args: ['--log.format=text'] });

describe('signals and broken pipes', function () {
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

  it('SIGHUP does not end the process; it reloads the configuration', async () => {
    const d = await startDemo(tmp.dir);
    run = d.run;
    d.run.child.kill('SIGHUP');
    await waitFor('the SIGHUP log line', () => /SIGHUP: reloading the configuration/.test(d.run.stderr()));
    await waitFor('the reload to end', () => /configuration reloaded/.test(d.run.stderr()));
    d.run.child.kill('SIGHUP');
    await waitFor('the second reload', () => (d.run.stderr().match(/configuration reloaded/g) ?? []).length === 2);
    assert.equal((await get(`${d.url}/-/healthy`))?.status, 200);
    d.run.child.kill('SIGTERM');
    assert.equal(await d.run.exited, 0);
  });

  it('a closed stderr pipe (EPIPE on every log line) does not end the process', async () => {
    const d = await startDemo(tmp.dir);
    run = d.run;
    // The reading end goes away: each later log line of the daemon fails with EPIPE.
    d.run.child.stderr?.destroy();
    for (let i = 0; i < 3; i++) {
      d.run.child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 150));
    }
    const metrics = await get(`${d.url}/metrics`);
    assert.equal(metrics?.status, 200);
    assert.equal(d.run.child.exitCode, null, 'still running after writing to a closed pipe');
    d.run.child.kill('SIGTERM');
    assert.equal(await d.run.exited, 0, 'and shuts down cleanly, logging into the closed pipe');
  });
});

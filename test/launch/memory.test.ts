import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MEMORY_ENV, MEMORY_NODE_FLAGS, MEMORY_OPT_OUT, memoryRelaunch } from '../../src/launch/memory.js';

describe('launch/memory: what a start lacks of the image memory settings', () => {
  it('plain node: every flag before the given options, the variable, and the marker', () => {
    const plan = memoryRelaunch(['--import', 'tsx'], { PATH: '/usr/bin' });
    assert.deepEqual(plan?.execArgv, ['--max-semi-space-size=1', '--heap-growing-percent=50', '--import', 'tsx']);
    assert.equal(plan?.env['MALLOC_MMAP_THRESHOLD_'], '131072');
    assert.equal(plan?.env[MEMORY_OPT_OUT], 'applied');
    assert.equal(plan?.env['PATH'], '/usr/bin', 'the rest of the environment is kept');
  });

  it('as the image runs it (flags and variable given): nothing to do', () => {
    assert.equal(memoryRelaunch(MEMORY_NODE_FLAGS, { ...MEMORY_ENV }), undefined);
  });

  it('an operator value wins, whatever its spelling or where it is given', () => {
    const plan = memoryRelaunch(['--max_semi_space_size=8'], {
      NODE_OPTIONS: '--heap-growing-percent 80',
      MALLOC_MMAP_THRESHOLD_: '65536',
    });
    assert.equal(plan, undefined);
    const some = memoryRelaunch(['--max-semi-space-size=8'], {});
    assert.deepEqual(some?.execArgv, ['--heap-growing-percent=50', '--max-semi-space-size=8']);
    assert.equal(some?.env['MALLOC_MMAP_THRESHOLD_'], '131072');
  });

  it('only the variable missing still starts again (glibc reads it at start only)', () => {
    assert.deepEqual(memoryRelaunch(MEMORY_NODE_FLAGS, {})?.execArgv, MEMORY_NODE_FLAGS);
  });

  it('opted out, or already started again: never again', () => {
    assert.equal(memoryRelaunch([], { [MEMORY_OPT_OUT]: 'off' }), undefined);
    assert.equal(memoryRelaunch([], { [MEMORY_OPT_OUT]: 'applied' }), undefined);
  });
});

describe("launch/memory: the image's ENTRYPOINT gives the same settings (so its start never starts node again)", () => {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

  it('the flags before the script, and the variable', () => {
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    assert.deepEqual(entrypoint, ['node', ...MEMORY_NODE_FLAGS, '/app/dist/src/cli.js']);
    for (const [name, value] of Object.entries(MEMORY_ENV)) assert.match(dockerfile, new RegExp(`^ENV ${name}=${value}$`, 'm'));
    assert.equal(memoryRelaunch(entrypoint.slice(1, -1), { ...MEMORY_ENV }), undefined);
  });
});

import assert from 'node:assert/strict';
import { storeLine } from '../../src/http/status/store-line.js';

describe('status page: the store line', () => {
  const base = { sizeBytes: 412 * 2 ** 20, oldestDay: '2025-02-03', prunedDays: 0, keptFrom: '2025-02-03', retention: { days: 400 } };

  it('shows size, oldest day, retention, deletions and the free space of the filesystem', () => {
    assert.equal(
      storeLine({ ...base, prunedDays: 1000, filesystem: { availBytes: 3.5 * 2 ** 30, sizeBytes: 4 * 2 ** 30 } }),
      '<p id="store">Store: 412 MiB, oldest day 2025-02-03 (retention 400d, 1000 account-days deleted since the start); ' +
        '3.5 GiB free of 4.0 GiB on its filesystem.</p>\n',
    );
  });

  it('an empty in-memory store with a size retention: no filesystem part', () => {
    assert.equal(
      storeLine({ ...base, sizeBytes: 36_864, oldestDay: undefined, filesystem: undefined, retention: { days: 30, sizeBytes: 2 ** 30 } }),
      '<p id="store">Store: 36.0 KiB, empty (retention 30d or 1.0 GiB).</p>\n',
    );
  });
});

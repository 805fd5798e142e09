import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WechatApiError } from '../../src/errors.js';
import { FileSecret, withFreshSecret } from '../../src/wechat/tokens/secret.js';
import { tempDir } from '../helpers/exporter-harness.js';

describe('secretFile rotation', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'secret');
    writeFileSync(path, 'old-secret\n');
  });
  afterEach(() => tmp.remove());

  it('reads the file before each use and hands every new value to the redactor first', async () => {
    const seen: string[] = [];
    const secret = new FileSecret(path, 'old-secret', (s) => seen.push(s));
    writeFileSync(path, 'new-secret\n');
    assert.deepEqual(await withFreshSecret(secret, async (s) => s), 'new-secret');
    assert.deepEqual(seen, ['old-secret', 'new-secret']);
  });

  it('after WeChat rejects the secret, re-reads the file and sends once more when it changed', async () => {
    const secret = new FileSecret(path, 'old-secret');
    const sent: string[] = [];
    const result = await withFreshSecret(secret, async (s) => {
      sent.push(s);
      if (s === 'old-secret') {
        writeFileSync(path, 'new-secret'); // the Secret volume is updated while the call is out
        throw new WechatApiError('stable_token', 40125, 'invalid appsecret');
      }
      return 'token';
    });
    assert.equal(result, 'token');
    assert.deepEqual(sent, ['old-secret', 'new-secret']);
  });

  it('does not retry when the file still holds the rejected secret, nor on other errors', async () => {
    const secret = new FileSecret(path, 'old-secret');
    let n = 0;
    const reject = (errcode: number) => async () => {
      n++;
      throw new WechatApiError('stable_token', errcode, 'no');
    };
    await assert.rejects(withFreshSecret(secret, reject(40125)), { errcode: 40125 });
    assert.equal(n, 1);
    await assert.rejects(withFreshSecret(secret, reject(40164)), { errcode: 40164 });
    assert.equal(n, 2);
  });

  it('keeps the last good secret while the file is missing (a Secret volume being swapped)', async () => {
    const secret = new FileSecret(join(tmp.dir, 'absent'), 'old-secret');
    assert.equal(await secret.reread(), 'old-secret');
  });
});

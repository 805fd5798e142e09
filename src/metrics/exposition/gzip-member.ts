import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * One gzip member (RFC 1952) put together from pieces compressed separately: each piece is raw
 * DEFLATE ended by a sync flush (byte-aligned, not final), so pieces can be concatenated the way
 * pigz does, and a final empty block closes the stream. The trailer's CRC-32 of the whole text is
 * combined from the pieces' CRCs, so that a scrape compresses only the small live part and never
 * reads the megabytes prepared earlier. One member, because not every client reads several.
 */
export interface GzipPiece {
  readonly deflated: Buffer;
  readonly crc: number;
  /** Uncompressed length. */
  readonly length: number;
}

const deflateRawAsync = promisify(deflateRaw);
const SYNC = { finishFlush: constants.Z_SYNC_FLUSH } as const;
/** gzip header: magic, CM=deflate, no flags, no mtime, XFL 0, OS 255 (unknown). */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Below this size a piece is stored rather than compressed: setting up a compressor costs more than the bytes saved. */
const STORE_BELOW = 16 * 1024;

/**
 * A piece as DEFLATE stored blocks (RFC 1951 §3.2.4): a byte-aligned header, LEN and NLEN, then
 * the bytes as they are. For the few kilobytes of process metrics rendered at each scrape.
 */
function stored(text: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < text.length; at += 0xffff) {
    const part = text.subarray(at, at + 0xffff);
    const header = Buffer.alloc(5);
    header.writeUInt16LE(part.length, 1);
    header.writeUInt16LE(~part.length & 0xffff, 3);
    out.push(header, part);
  }
  return Buffer.concat(out);
}

/** Compresses a piece synchronously (the live part of a scrape); small ones are stored. */
export function gzipPieceSync(text: Buffer): GzipPiece {
  const deflated = text.length < STORE_BELOW ? stored(text) : deflateRawSync(text, SYNC);
  return { deflated, crc: crc32(text), length: text.length };
}

/** Compresses a piece on libuv's thread pool, off the event loop (the prepared families). */
export async function gzipPiece(text: Buffer): Promise<GzipPiece> {
  return { deflated: await deflateRawAsync(text, SYNC), crc: crc32(text), length: text.length };
}

/** The chunks of one gzip member holding the pieces' texts in order. */
export function gzipMember(pieces: readonly GzipPiece[]): Buffer[] {
  let crc = 0;
  let length = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc, p.length);
    length += p.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return [HEADER, ...pieces.map((p) => p.deflated), FINAL_BLOCK, trailer];
}

// CRC-32 combination as zlib's crc32_combine() computes it (zlib 1.2.12+, crc32.c): the CRC of
// A+B from crc(A), crc(B) and len(B), by multiplying crc(A) by x^(8·len(B)) modulo the polynomial.
const POLY = 0xedb88320;

function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial. */
const X2N: number[] = [0x40000000];
for (let k = 1; k < 32; k++) X2N.push(multModP(X2N[k - 1] as number, X2N[k - 1] as number));

function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31] as number, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}

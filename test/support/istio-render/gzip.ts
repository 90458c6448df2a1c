/**
 * A small, pure-JS gzip encoder (RFC 1951 fixed-Huffman block + LZ77, RFC 1952 wrapper).
 *
 * Why not `zlib.gzipSync`: Node's bundled zlib (Chromium's fork, zlib-ng in newer Node) produces different
 * compressed bytes across Node versions and CPUs, which would make the generated fixtures differ from machine to
 * machine. Any gunzip (Helm's Go reader, `zlib.gunzipSync`) decodes this output; Helm's own bytes (Go
 * compress/flate) differ from every zlib anyway, so nothing real is lost. The header mirrors Go's writer:
 * mtime 0, XFL 2 (best compression), OS 255 (unknown).
 */

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const MAX_CHAIN = 128;
/** Stop searching once a match this long is found. */
const NICE_MATCH = 96;

class BitWriter {
  private readonly out: number[] = [];
  private acc = 0;
  private n = 0;

  /** Writes `len` bits of `value`, least significant first. */
  bits(value: number, len: number): void {
    for (let i = 0; i < len; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) {
        this.out.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }

  /** Writes a Huffman code (most significant bit first). */
  code(code: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
  }

  finish(): Buffer {
    if (this.n > 0) this.out.push(this.acc);
    return Buffer.from(this.out);
  }
}

function literalLength(w: BitWriter, sym: number): void {
  if (sym < 144) w.code(0x30 + sym, 8);
  else if (sym < 256) w.code(0x190 + sym - 144, 9);
  else if (sym < 280) w.code(sym - 256, 7);
  else w.code(0xc0 + sym - 280, 8);
}

function writeMatch(w: BitWriter, length: number, distance: number): void {
  let li = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[li]! > length) li--;
  literalLength(w, 257 + li);
  w.bits(length - LENGTH_BASE[li]!, LENGTH_EXTRA[li]!);
  let di = DIST_BASE.length - 1;
  while (DIST_BASE[di]! > distance) di--;
  w.code(di, 5);
  w.bits(distance - DIST_BASE[di]!, DIST_EXTRA[di]!);
}

/** Raw DEFLATE, one final fixed-Huffman block, greedy LZ77 with hash chains. Deterministic. */
export function deflateRawFixed(input: Uint8Array): Buffer {
  const w = new BitWriter();
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE = 01 (fixed Huffman)
  const n = input.length;
  const head = new Int32Array(1 << 15).fill(-1);
  const prev = new Int32Array(n);
  const hashAt = (i: number) => ((input[i]! << 10) ^ (input[i + 1]! << 5) ^ input[i + 2]!) & 0x7fff;
  const insert = (i: number) => {
    if (i + 2 >= n) return;
    const h = hashAt(i);
    prev[i] = head[h]!;
    head[h] = i;
  };
  let i = 0;
  while (i < n) {
    let bestLen = 0;
    let bestDist = 0;
    if (i + MIN_MATCH <= n) {
      let cand = head[hashAt(i)]!;
      let chain = MAX_CHAIN;
      const maxLen = Math.min(MAX_MATCH, n - i);
      while (cand >= 0 && i - cand <= WINDOW && chain-- > 0) {
        if (input[cand + bestLen] === input[i + bestLen]) {
          let len = 0;
          while (len < maxLen && input[cand + len] === input[i + len]) len++;
          if (len > bestLen) {
            bestLen = len;
            bestDist = i - cand;
            if (len >= NICE_MATCH || len === maxLen) break;
          }
        }
        cand = prev[cand]!;
      }
    }
    if (bestLen >= MIN_MATCH) {
      writeMatch(w, bestLen, bestDist);
      for (let k = 0; k < bestLen; k++) insert(i + k);
      i += bestLen;
    } else {
      literalLength(w, input[i]!);
      insert(i);
      i++;
    }
  }
  literalLength(w, 256); // end of block
  return w.finish();
}

let CRC_TABLE: Uint32Array | undefined;

export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of data) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** gzip member: header (mtime 0, XFL 2, OS 255), deflate body, CRC32, ISIZE. */
export function gzipDeterministic(input: Uint8Array): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(input), 0);
  trailer.writeUInt32LE(input.length >>> 0, 4);
  return Buffer.concat([header, deflateRawFixed(input), trailer]);
}

/**
 * The little of ustar a packaged chart needs (`helm package` writes `<chart>/Chart.yaml`, … in a gzipped tar): read
 * one file out of a `.tgz`, and write a `.tgz` from a few files for tests that need a packaged chart on disk.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const BLOCK = 512;

function field(buf: Buffer, at: number, len: number): string {
  const raw = buf.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

/** The entries of a gzipped tar, name → content (regular files only). */
export function readTgz(data: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(data);
  const out = new Map<string, Buffer>();
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const name = field(tar, at, 100);
    if (!name) break;
    const prefix = field(tar, at + 345, 155);
    const size = parseInt(field(tar, at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[at + 156] ?? 48);
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    if (type === '0' || type === '\0') out.set(prefix ? `${prefix}/${name}` : name, Buffer.from(body));
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii');
  h.write('0000000\0', 116, 8, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** A gzipped tar of the given files (names under 100 bytes). */
export function writeTgz(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text, 'utf8');
    parts.push(header(name, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}

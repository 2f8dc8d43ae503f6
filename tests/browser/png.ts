/**
 * Re-encode a screenshot PNG smaller, for the one that docs/ keeps: Chromium
 * encodes for speed (adaptive filters, fast deflate); a page of text and flat
 * colours packs ~15 % smaller unfiltered at deflate level 9, which keeps
 * docs/dashboard.png under 200 KB. Lossless. Only 8-bit, non-interlaced RGB or
 * RGBA (what Chromium writes); anything else is returned as it came. Written
 * here rather than with a PNG library: the project has none, and this is the
 * whole of what is needed (node:zlib does the compression).
 */
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

export function recompress(png: Buffer): Buffer {
  if (!png.subarray(0, 8).equals(SIGNATURE)) return png;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  if (ihdr?.[8] !== 8 || ![2, 6].includes(ihdr[9]!) || ihdr[12] !== 0) return png;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bpp = ihdr[9] === 6 ? 4 : 3;
  const stride = width * bpp;
  const filtered = zlib.inflateSync(Buffer.concat(idat));
  // Undo each row's filter in place, then mark every row "none" (filter 0).
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    const filter = filtered[row]!;
    filtered[row] = 0;
    for (let x = 0; x < stride; x++) {
      const i = row + 1 + x;
      const a = x >= bpp ? filtered[i - bpp]! : 0;
      const b = y > 0 ? filtered[i - stride - 1]! : 0;
      const c = x >= bpp && y > 0 ? filtered[i - stride - 1 - bpp]! : 0;
      const predictor = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
      filtered[i] = (filtered[i]! + predictor) & 255;
    }
  }
  const packed = zlib.deflateSync(filtered, { level: 9, memLevel: 9 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', packed), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Draws the extension icon (a lens over three rising bars on a teal rounded square) and writes it as PNG at 16, 32,
 * 48 and 128 px into `public/icon/` (WXT's icon convention: it lists them in the manifest) and as SVG into
 * `store/icon.svg` for the store listings. No dependency: the shapes are signed distance functions in a 128-unit
 * square, sampled 8 x 8 times per pixel, and the PNG is written with node:zlib.
 * Run: `node extension/scripts/make-icons.ts` (the PNGs are committed; re-run only when the design changes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const TEAL: Rgb = [14, 124, 102];
const WHITE: Rgb = [255, 255, 255];
type Rgb = [number, number, number];

// Geometry in a 128 x 128 box (the SVG uses the same numbers).
const BG = { x: 8, y: 8, size: 112, radius: 26 };
const LENS = { cx: 56, cy: 56, r: 28, stroke: 11 };
const HANDLE = { x1: 77, y1: 77, x2: 100, y2: 100, width: 14 };
/** Bars inside the lens, left to right: x, top, bottom; drawn from 48 px up (they blur into a blob below that). */
const BARS = [
  { x: 43, top: 62, bottom: 70 },
  { x: 56, top: 52, bottom: 70 },
  { x: 69, top: 44, bottom: 70 },
].map((b) => ({ ...b, width: 8 }));

const roundedBox = (px: number, py: number) => {
  const h = BG.size / 2 - BG.radius;
  const qx = Math.abs(px - (BG.x + BG.size / 2)) - h;
  const qy = Math.abs(py - (BG.y + BG.size / 2)) - h;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - BG.radius;
};
const segment = (px: number, py: number, x1: number, y1: number, x2: number, y2: number) => {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - x1 - t * dx, py - y1 - t * dy);
};
function foreground(px: number, py: number, bars: boolean): boolean {
  if (Math.abs(Math.hypot(px - LENS.cx, py - LENS.cy) - LENS.r) <= LENS.stroke / 2) return true;
  if (segment(px, py, HANDLE.x1, HANDLE.y1, HANDLE.x2, HANDLE.y2) <= HANDLE.width / 2) return true;
  return bars && BARS.some((b) => Math.abs(px - b.x) <= b.width / 2 && py >= b.top && py <= b.bottom);
}

/** RGBA pixels of the icon at `size` px: 8 x 8 samples per pixel for the edges. */
function draw(size: number): Uint8Array {
  const n = 8;
  const out = new Uint8Array(size * size * 4);
  const bars = size >= 48;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const px = ((x + (sx + 0.5) / n) * 128) / size;
          const py = ((y + (sy + 0.5) / n) * 128) / size;
          if (roundedBox(px, py) > 0) continue;
          bg++;
          if (foreground(px, py, bars)) fg++;
        }
      }
      const alpha = bg / (n * n);
      const white = bg === 0 ? 0 : fg / bg;
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(TEAL[c]! * (1 - white) + WHITE[c]! * white);
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

function png(size: number, rgba: Uint8Array): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (c: Rgb) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect x="${BG.x}" y="${BG.y}" width="${BG.size}" height="${BG.size}" rx="${BG.radius}" fill="${hex(TEAL)}"/>
  <g fill="${hex(WHITE)}">${BARS.map((b) => `\n    <rect x="${b.x - b.width / 2}" y="${b.top}" width="${b.width}" height="${b.bottom - b.top}"/>`).join('')}
  </g>
  <circle cx="${LENS.cx}" cy="${LENS.cy}" r="${LENS.r}" fill="none" stroke="${hex(WHITE)}" stroke-width="${LENS.stroke}"/>
  <line x1="${HANDLE.x1}" y1="${HANDLE.y1}" x2="${HANDLE.x2}" y2="${HANDLE.y2}" stroke="${hex(WHITE)}" stroke-width="${HANDLE.width}" stroke-linecap="round"/>
</svg>
`;

const root = new URL('..', import.meta.url);
mkdirSync(new URL('public/icon/', root), { recursive: true });
for (const size of [16, 32, 48, 128]) writeFileSync(new URL(`public/icon/${size}.png`, root), png(size, draw(size)));
writeFileSync(new URL('store/icon.svg', root), svg);
// A 512 px rendering for the listing pages and for checking the drawing by eye (not shipped in the package).
writeFileSync(new URL('store/icon-512.png', root), png(512, draw(512)));

#!/usr/bin/env node
/**
 * Draws the tab bar icons (81×81 PNG, the size WeChat recommends) in the normal and selected
 * colours. Run once after changing a shape; the PNGs are committed in miniapp/src/assets/tab.
 */
import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';

const SIZE = 81;
const SAMPLES = 4;
const COLORS = { normal: [0x8a, 0x98, 0x93], active: [0x0b, 0x6e, 0x4f] };

const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const inTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const side = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = side(ax, ay, bx, by),
    d2 = side(bx, by, cx, cy),
    d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};
const inRounded = (x, y, x0, y0, x1, y1, r) =>
  inRect(x, y, x0 + r, y0, x1 - r, y1) ||
  inRect(x, y, x0, y0 + r, x1, y1 - r) ||
  [
    [x0 + r, y0 + r],
    [x1 - r, y0 + r],
    [x0 + r, y1 - r],
    [x1 - r, y1 - r],
  ].some(([cx, cy]) => inCircle(x, y, cx, cy, r));

const SHAPES = {
  home: (x, y) => (inTriangle(x, y, [0.5, 0.12], [0.1, 0.5], [0.9, 0.5]) || inRect(x, y, 0.2, 0.45, 0.8, 0.86)) && !inRect(x, y, 0.41, 0.6, 0.59, 0.87),
  bills: (x, y) =>
    (inRounded(x, y, 0.2, 0.1, 0.8, 0.9, 0.08) && !inRounded(x, y, 0.28, 0.18, 0.72, 0.82, 0.03)) ||
    [0.32, 0.47, 0.62].some((ly) => inRect(x, y, 0.35, ly, ly === 0.62 ? 0.55 : 0.65, ly + 0.06)),
  services: (x, y) =>
    [
      [0.12, 0.12],
      [0.54, 0.12],
      [0.12, 0.54],
      [0.54, 0.54],
    ].some(([x0, y0]) => inRounded(x, y, x0, y0, x0 + 0.34, y0 + 0.34, 0.08)),
  me: (x, y) => inCircle(x, y, 0.5, 0.32, 0.18) || (inCircle(x, y, 0.5, 0.98, 0.4) && y < 0.88 && y > 0.55),
};

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(shape, [r, g, b]) {
  const rows = [];
  for (let py = 0; py < SIZE; py += 1) {
    const row = [0];
    for (let px = 0; px < SIZE; px += 1) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1)
        for (let sx = 0; sx < SAMPLES; sx += 1) if (shape((px + (sx + 0.5) / SAMPLES) / SIZE, (py + (sy + 0.5) / SAMPLES) / SIZE)) hits += 1;
      row.push(r, g, b, Math.round((255 * hits) / SAMPLES ** 2));
    }
    rows.push(Buffer.from(row));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [name, shape] of Object.entries(SHAPES)) {
  writeFileSync(`miniapp/src/assets/tab/${name}.png`, png(shape, COLORS.normal));
  writeFileSync(`miniapp/src/assets/tab/${name}-active.png`, png(shape, COLORS.active));
}
console.log(`wrote ${Object.keys(SHAPES).length * 2} icons to miniapp/src/assets/tab`);

import { crc32, deflateSync } from 'node:zlib';

export type TrayIconState = 'running' | 'warning' | 'paused' | 'error';

/** A colour as red, green, blue, alpha in 0–255. */
type Rgba = readonly [number, number, number, number];

const GREEN: Rgba = [22, 163, 74, 255];
const GREY: Rgba = [128, 134, 145, 255];
const RED: Rgba = [220, 38, 38, 255];
const AMBER: Rgba = [245, 158, 11, 255];
const WHITE: Rgba = [255, 255, 255, 255];
/** Dark on amber, as road signs do: white on amber is too faint to read at 16 px. */
const INK: Rgba = [28, 25, 23, 255];

/** A shape as a signed distance in pixels from its edge (negative inside), at a point in unit space. */
type Shape = (x: number, y: number) => number;

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const ring =
  (cx: number, cy: number, r: number, width: number): Shape =>
  (x, y) =>
    Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
const box =
  (cx: number, cy: number, halfWidth: number, halfHeight: number): Shape =>
  (x, y) => {
    const dx = Math.abs(x - cx) - halfWidth;
    const dy = Math.abs(y - cy) - halfHeight;
    return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
  };

/**
 * A convex polygon, corners in order. Outside, near a corner, this underestimates the distance a
 * little, which only softens the corner's anti-aliasing.
 */
const polygon = (corners: ReadonlyArray<readonly [number, number]>): Shape => {
  const cx = corners.reduce((sum, [x]) => sum + x, 0) / corners.length;
  const cy = corners.reduce((sum, [, y]) => sum + y, 0) / corners.length;
  const edges = corners.map(([ax, ay], index) => {
    const [bx, by] = corners[(index + 1) % corners.length]!;
    const length = Math.hypot(bx - ax, by - ay);
    let [nx, ny] = [(by - ay) / length, (ax - bx) / length];
    // Normals point outward, whichever way the corners turn.
    if ((cx - ax) * nx + (cy - ay) * ny > 0) [nx, ny] = [-nx, -ny];
    return { ax, ay, nx, ny };
  });
  return (x, y) => Math.max(...edges.map(({ ax, ay, nx, ny }) => (x - ax) * nx + (y - ay) * ny));
};

/**
 * Each state differs in shape, not only colour, so it reads at 16 px and to colour-blind eyes:
 * running is a full disc, warning (a route cooling down) an amber triangle with "!", paused a
 * hollow ring with a pause sign, error a red disc with "!".
 */
function layers(state: TrayIconState): Array<{ shape: Shape; colour: Rgba }> {
  switch (state) {
    case 'running':
      return [{ shape: circle(0.5, 0.5, 0.4), colour: GREEN }];
    case 'warning':
      return [
        {
          shape: polygon([
            [0.5, 0.0625],
            [0.97, 0.9375],
            [0.03, 0.9375],
          ]),
          colour: AMBER,
        },
        // On whole pixels at 16 px (columns 7–8; rows 6–10, then 12–13), so the mark stays crisp.
        { shape: box(0.5, 0.53125, 0.0625, 0.15625), colour: INK },
        { shape: box(0.5, 0.8125, 0.0625, 0.0625), colour: INK },
      ];
    case 'paused':
      return [
        { shape: ring(0.5, 0.5, 0.36, 0.1), colour: GREY },
        // On whole pixels at 16 px (columns 5–6 and 9–10), so the bars stay crisp.
        { shape: box(0.375, 0.5, 0.0625, 0.1875), colour: GREY },
        { shape: box(0.625, 0.5, 0.0625, 0.1875), colour: GREY },
      ];
    case 'error':
      return [
        { shape: circle(0.5, 0.5, 0.44), colour: RED },
        { shape: box(0.5, 0.39, 0.0625, 0.15), colour: WHITE },
        { shape: circle(0.5, 0.74, 0.07), colour: WHITE },
      ];
  }
}

/** The RGBA pixels of the icon at `size` × `size`, anti-aliased by distance to each shape's edge. */
export function drawTrayPixels(state: TrayIconState, size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const shapes = layers(state);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const x = (column + 0.5) / size;
      const y = (row + 0.5) / size;
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const { shape, colour } of shapes) {
        // Distance in pixels; half a pixel either side of the edge fades.
        const coverage = Math.min(Math.max(0.5 - shape(x, y) * size, 0), 1) * (colour[3] / 255);
        if (coverage === 0) continue;
        // "Over" compositing, straight (not premultiplied) alpha.
        const outA = coverage + a * (1 - coverage);
        r = (colour[0] * coverage + r * a * (1 - coverage)) / outA;
        g = (colour[1] * coverage + g * a * (1 - coverage)) / outA;
        b = (colour[2] * coverage + b * a * (1 - coverage)) / outA;
        a = outA;
      }
      const offset = (row * size + column) * 4;
      pixels[offset] = Math.round(r);
      pixels[offset + 1] = Math.round(g);
      pixels[offset + 2] = Math.round(b);
      pixels[offset + 3] = Math.round(a * 255);
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit, colour type 6, no filtering): all Electron's nativeImage needs. */
export function encodePng(pixels: Buffer, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let row = 0; row < height; row++) {
    // Each scanline starts with its filter type, 0 = none.
    pixels.copy(rows, row * (width * 4 + 1) + 1, row * width * 4, (row + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The icon as PNG at 1× (16 px) and 2× (32 px), drawn in code so that no binary asset is needed. */
export function trayIconPngs(state: TrayIconState): Array<{ scaleFactor: number; png: Buffer }> {
  return [1, 2].map((scaleFactor) => {
    const size = 16 * scaleFactor;
    return { scaleFactor, png: encodePng(drawTrayPixels(state, size), size, size) };
  });
}

/** The parts of Electron's `nativeImage` used to build a multi-resolution image. */
export interface NativeImageFactory<Image> {
  createEmpty(): Image;
}

export interface ImageWithRepresentations {
  addRepresentation(options: { scaleFactor: number; buffer: Buffer }): void;
}

export function trayImage<Image extends ImageWithRepresentations>(
  nativeImage: NativeImageFactory<Image>,
  state: TrayIconState,
): Image {
  const image = nativeImage.createEmpty();
  for (const { scaleFactor, png } of trayIconPngs(state))
    image.addRepresentation({ scaleFactor, buffer: png });
  return image;
}

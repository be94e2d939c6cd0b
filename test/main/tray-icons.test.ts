// @vitest-environment node
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  drawTrayPixels,
  encodePng,
  trayIconPngs,
  trayImage,
  type TrayIconState,
} from '../../main/tray-icons.ts';
import { FakeImage } from './fake-electron.ts';

/** Reads back what encodePng wrote, checking every chunk's CRC like a real decoder. */
function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(
      crc32(png.subarray(offset + 4, offset + 8 + length)) >>> 0,
    );
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(width * height * 4);
  for (let row = 0; row < height; row++) {
    expect(raw[row * (width * 4 + 1)]).toBe(0);
    raw.copy(pixels, row * width * 4, row * (width * 4 + 1) + 1, (row + 1) * (width * 4 + 1));
  }
  return { width, height, pixels };
}

function pixel(pixels: Buffer, size: number, x: number, y: number): number[] {
  const offset = (y * size + x) * 4;
  return [...pixels.subarray(offset, offset + 4)];
}

describe('tray icons', () => {
  it('are valid PNGs at 16 and 32 px', () => {
    for (const state of ['running', 'paused', 'error'] as const) {
      const images = trayIconPngs(state);
      expect(images.map((image) => image.scaleFactor)).toEqual([1, 2]);
      for (const { scaleFactor, png } of images) {
        const decoded = decodePng(png);
        expect([decoded.width, decoded.height]).toEqual([16 * scaleFactor, 16 * scaleFactor]);
        expect(decoded.pixels).toEqual(drawTrayPixels(state, 16 * scaleFactor));
      }
    }
  });

  it('differ by state in shape as well as colour', () => {
    const at = (state: TrayIconState, x: number, y: number) => pixel(drawTrayPixels(state, 32), 32, x, y);
    // Corners are transparent in all three.
    for (const state of ['running', 'paused', 'error'] as const) expect(at(state, 0, 0)[3]).toBe(0);
    // Running: a solid green disc.
    expect(at('running', 16, 16)).toEqual([22, 163, 74, 255]);
    // Paused: hollow in the middle, grey ring and bars.
    expect(at('paused', 16, 16)[3]).toBe(0);
    expect(at('paused', 12, 16)).toEqual([128, 134, 145, 255]);
    // Error: red, with a white mark in the middle column.
    expect(at('error', 8, 16)).toEqual([220, 38, 38, 255]);
    expect(at('error', 16, 10)).toEqual([255, 255, 255, 255]);
    const distinct = new Set(
      ['running', 'paused', 'error'].map((state) =>
        drawTrayPixels(state as TrayIconState, 16).toString('hex'),
      ),
    );
    expect(distinct.size).toBe(3);
  });

  it('become one nativeImage with both resolutions', () => {
    const image = trayImage({ createEmpty: () => new FakeImage() }, 'error');
    expect(image.representations.map((representation) => representation.scaleFactor)).toEqual([1, 2]);
    expect(image.representations[1]?.buffer).toEqual(trayIconPngs('error')[1]?.png);
  });

  it('encode any size', () => {
    const pixels = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128]);
    expect(decodePng(encodePng(pixels, 2, 1)).pixels).toEqual(pixels);
  });
});

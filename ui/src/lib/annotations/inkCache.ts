// Ink layers already painted, kept as bitmaps: turning back to a page of hundreds of strokes, or
// zooming on it, shows them at once instead of painting every stroke again (on a laptop without a
// graphics card that takes a tenth of a second for 500 strokes). A few pages are kept, the least
// recently shown dropped first.

/** Pages' ink layers kept; each is one bitmap the size of the page on screen. */
const KEPT = 8;

type Painted = { canvas: HTMLCanvasElement; width: number; height: number };

const painted = new Map<string, Painted>();

/** The bitmap kept for `key`, if any (and it becomes the most recently used). */
export function paintedInk(key: string): Painted | null {
  const found = painted.get(key);
  if (!found) return null;
  painted.delete(key);
  painted.set(key, found);
  return found;
}

/** Keeps `canvas` as the ink of `key` at `width` × `height` CSS pixels. */
export function keepPaintedInk(key: string, canvas: HTMLCanvasElement, width: number, height: number): void {
  painted.delete(key);
  painted.set(key, { canvas, width, height });
  while (painted.size > KEPT) {
    const oldest = painted.keys().next().value;
    if (oldest === undefined) break;
    painted.delete(oldest);
  }
}

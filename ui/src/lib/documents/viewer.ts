// Paging and zoom of the document viewer: which page exists and how wide a page is drawn.

/** Page widths in CSS pixels, from "whole page on a small screen" to "read the footnotes". */
export const ZOOM_WIDTHS: readonly number[] = [600, 800, 1000, 1200, 1400, 1700, 2000];

/** The widest step that fits `available` pixels, but never below the smallest step. */
export function fittingWidth(available: number): number {
  const fitting = ZOOM_WIDTHS.filter((width) => width <= available);
  return fitting.length > 0 ? fitting[fitting.length - 1] : ZOOM_WIDTHS[0];
}

/** The next wider step, or `width` itself at the widest. */
export function zoomIn(width: number): number {
  return ZOOM_WIDTHS.find((step) => step > width) ?? width;
}

/** The next narrower step, or `width` itself at the narrowest. */
export function zoomOut(width: number): number {
  const narrower = ZOOM_WIDTHS.filter((step) => step < width);
  return narrower.length > 0 ? narrower[narrower.length - 1] : width;
}

export function canZoomIn(width: number): boolean {
  return zoomIn(width) !== width;
}

export function canZoomOut(width: number): boolean {
  return zoomOut(width) !== width;
}

/** Keeps a 0-based page index inside a document of `pageCount` pages. */
export function clampPage(pageIndex: number, pageCount: number): number {
  if (pageCount <= 0) return 0;
  return Math.min(Math.max(0, Math.trunc(pageIndex)), pageCount - 1);
}

/** Values for "Trang {page} / {count}": people count pages from 1, the renderer from 0. */
export function pageIndicatorParams(pageIndex: number, pageCount: number): { page: number; count: number } {
  return { page: clampPage(pageIndex, pageCount) + 1, count: Math.max(pageCount, 0) };
}

/** The widest step whose page, `aspect` (height / width) times as tall, fits `height` pixels. */
export function fittingPageWidth(availableWidth: number, availableHeight: number, aspect: number): number {
  const byHeight = aspect > 0 ? availableHeight / aspect : availableWidth;
  return fittingWidth(Math.min(availableWidth, byHeight));
}

/** What a key does in the reader; `null` for keys it leaves to the page (typing, Tab). */
export type ViewerKeyAction =
  | { kind: "close" }
  | { kind: "page"; to: (current: number, count: number) => number }
  | { kind: "zoom"; direction: "in" | "out" }
  /** Scrolls the page area a fifth of its height down (1) or up (−1), wherever focus is. */
  | { kind: "scroll"; by: 1 | -1 };

export function viewerKeyAction(key: string): ViewerKeyAction | null {
  switch (key) {
    case "Escape":
      return { kind: "close" };
    case "ArrowDown":
      return { kind: "scroll", by: 1 };
    case "ArrowUp":
      return { kind: "scroll", by: -1 };
    case "ArrowRight":
    case "PageDown":
      return { kind: "page", to: (current) => current + 1 };
    case "ArrowLeft":
    case "PageUp":
      return { kind: "page", to: (current) => current - 1 };
    case "Home":
      return { kind: "page", to: () => 0 };
    case "End":
      return { kind: "page", to: (_current, count) => count - 1 };
    case "+":
    case "=":
      return { kind: "zoom", direction: "in" };
    case "-":
    case "_":
      return { kind: "zoom", direction: "out" };
    default:
      return null;
  }
}

/** A page number a person typed (counted from 1) as a 0-based index in the document, or `null`. */
export function typedPage(typed: string, pageCount: number): number | null {
  const number = Number.parseInt(typed.trim(), 10);
  if (!Number.isFinite(number)) return null;
  return clampPage(number - 1, pageCount);
}

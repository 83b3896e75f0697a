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

import { describe, expect, it } from "vitest";
import { translate } from "../i18n/translate";
import {
  canZoomIn,
  canZoomOut,
  clampPage,
  fittingPageWidth,
  fittingWidth,
  pageIndicatorParams,
  typedPage,
  viewerKeyAction,
  zoomIn,
  zoomOut,
  ZOOM_WIDTHS,
} from "./viewer";

describe("page indicator", () => {
  it("counts pages from one for people", () => {
    expect(translate("vi", "viewer.page", pageIndicatorParams(2, 12))).toBe("Trang 3 / 12");
    expect(translate("en", "viewer.page", pageIndicatorParams(0, 1))).toBe("Page 1 / 1");
  });

  it("never shows a page beyond the document", () => {
    expect(pageIndicatorParams(40, 12)).toEqual({ page: 12, count: 12 });
    expect(pageIndicatorParams(-3, 12)).toEqual({ page: 1, count: 12 });
  });
});

describe("paging", () => {
  it.each([
    [0, 12, 0],
    [11, 12, 11],
    [12, 12, 11],
    [-1, 12, 0],
    [3, 0, 0],
  ])("page %i of %i pages is shown as index %i", (index, count, expected) => {
    expect(clampPage(index, count)).toBe(expected);
  });
});

describe("zoom", () => {
  it("steps through the widths in order and stops at both ends", () => {
    const first = ZOOM_WIDTHS[0];
    const last = ZOOM_WIDTHS[ZOOM_WIDTHS.length - 1];
    expect(first).toBe(600);
    expect(last).toBe(2000);
    expect(zoomIn(first)).toBeGreaterThan(first);
    expect(zoomIn(last)).toBe(last);
    expect(zoomOut(first)).toBe(first);
    expect(zoomOut(zoomIn(first))).toBe(first);
    expect(canZoomIn(last)).toBe(false);
    expect(canZoomOut(first)).toBe(false);
    expect(canZoomIn(first) && canZoomOut(last)).toBe(true);
  });

  it("snaps a width between steps to the neighbouring steps", () => {
    expect(zoomIn(900)).toBe(1000);
    expect(zoomOut(900)).toBe(800);
  });

  it.each([
    [300, 600],
    [600, 600],
    [1216, 1200],
    [5000, 2000],
  ])("a window %i px wide starts at %i px", (available, expected) => {
    expect(fittingWidth(available)).toBe(expected);
  });
});

describe("fitting and keys", () => {
  it("fits a whole A4 page into the height, and a landscape page into the width", () => {
    expect(fittingPageWidth(1400, 900, 1.414)).toBe(600);
    expect(fittingPageWidth(1400, 1800, 1.414)).toBe(1200);
    expect(fittingPageWidth(1100, 900, 0.707)).toBe(1000);
  });

  it("pages with PgUp/PgDn, arrows, Home and End, and zooms with + and −", () => {
    const to = (key: string, current: number, count: number) => {
      const action = viewerKeyAction(key);
      return action?.kind === "page" ? action.to(current, count) : null;
    };
    expect(to("PageDown", 3, 10)).toBe(4);
    expect(to("ArrowLeft", 3, 10)).toBe(2);
    expect(to("Home", 3, 10)).toBe(0);
    expect(to("End", 3, 10)).toBe(9);
    expect(viewerKeyAction("+")).toEqual({ kind: "zoom", direction: "in" });
    expect(viewerKeyAction("-")).toEqual({ kind: "zoom", direction: "out" });
    expect(viewerKeyAction("Escape")).toEqual({ kind: "close" });
    // The arrows up and down move along the page, so its lower half is reachable by keyboard.
    expect(viewerKeyAction("ArrowDown")).toEqual({ kind: "scroll", by: 1 });
    expect(viewerKeyAction("ArrowUp")).toEqual({ kind: "scroll", by: -1 });
    expect(viewerKeyAction("Tab")).toBeNull();
  });

  it("reads a typed page number as people count", () => {
    expect(typedPage("12", 460)).toBe(11);
    expect(typedPage(" 999 ", 460)).toBe(459);
    expect(typedPage("0", 460)).toBe(0);
    expect(typedPage("abc", 460)).toBeNull();
  });
});

// @vitest-environment happy-dom
// The annotation toolbar's "More" menu: what it offers, and that Escape or a click elsewhere
// closes it, the focus going back to its button.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import AnnotationToolbar from "./AnnotationToolbar.svelte";

let component: ReturnType<typeof mount> | null = null;
const exports: boolean[] = [];
const shares: boolean[] = [];

afterEach(() => {
  if (component) unmount(component);
  component = null;
  exports.length = 0;
  shares.length = 0;
  document.body.innerHTML = "";
});

function byTestId(id: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${id}"]`);
}

function mountToolbar(allShared: boolean | null, tool: "select" | "pen" = "select") {
  setLocale("vi");
  component = mount(AnnotationToolbar, {
    target: document.body,
    props: {
      tool,
      canUndo: false,
      canRedo: false,
      selected: null,
      onUndo: () => {},
      onRedo: () => {},
      onDeleteSelected: () => {},
      onShareSelected: () => {},
      onExport: (flatten: boolean) => exports.push(flatten),
      allShared,
      onShareAll: (shared: boolean) => shares.push(shared),
    },
  });
  flushSync();
}

function openMore() {
  byTestId("annotation-more")!.click();
  flushSync();
}

describe("the pen's width", () => {
  it("is one button that steps thin, medium, thick and round again, shown only for the pen and highlighter", () => {
    mountToolbar(null, "pen");
    const labels: string[] = [];
    for (let step = 0; step < 4; step += 1) {
      labels.push(byTestId("pen-width")!.getAttribute("aria-label")!);
      byTestId("pen-width")!.click();
      flushSync();
    }
    expect(labels).toEqual(["Nét bút: Vừa", "Nét bút: Đậm", "Nét bút: Mảnh", "Nét bút: Vừa"]);
    byTestId("tool-note")!.click();
    flushSync();
    expect(byTestId("pen-width")).toBeNull();
  });
});

describe("the annotation toolbar's More menu", () => {
  it("stays closed until asked, then offers sharing all, the annotated copy and the copy for printing", () => {
    mountToolbar(false);
    expect(byTestId("export-annotated")).toBeNull();
    expect(byTestId("annotation-more")!.getAttribute("aria-expanded")).toBe("false");

    openMore();

    expect(byTestId("annotation-more")!.getAttribute("aria-expanded")).toBe("true");
    expect(document.querySelector('[role="menu"]')!.textContent).toContain("Ghi chú chỉ mình bạn thấy");
    byTestId("export-printable")!.click();
    flushSync();
    expect(exports).toEqual([true]);
    expect(byTestId("export-printable")).toBeNull();
    expect(document.activeElement).toBe(byTestId("annotation-more"));

    openMore();
    byTestId("share-all")!.click();
    flushSync();
    expect(shares).toEqual([true]);
  });

  it("offers no sharing of all when the reader has no annotation on the document", () => {
    mountToolbar(null);
    openMore();
    expect(byTestId("share-all")).toBeNull();
    expect(byTestId("export-annotated")).not.toBeNull();
  });

  it("closes on Escape, the focus back on its button, and on a click elsewhere", () => {
    mountToolbar(true);
    openMore();
    document.querySelector<HTMLElement>('[role="menu"]')!.dispatchEvent(
      new KeyboardEvent("keydown", { key: "Escape", bubbles: true }),
    );
    flushSync();
    expect(byTestId("export-annotated")).toBeNull();
    expect(document.activeElement).toBe(byTestId("annotation-more"));

    openMore();
    byTestId("tool-pen")!.click();
    flushSync();
    expect(byTestId("export-annotated")).toBeNull();
    expect(exports).toEqual([]);
  });
});

describe("the toolbar's marks", () => {
  it("use no emoji, which Debian has no font for: the highlighter, sharing, deleting and printing are drawn", () => {
    mountToolbar(false, "select");
    openMore();
    const text = document.body.textContent ?? "";
    const emoji = [...text].filter((character) => (character.codePointAt(0) ?? 0) >= 0x1f000);
    expect(emoji).toEqual([]);
    const drawn = [...document.querySelectorAll("svg.line-icon")].map((icon) => icon.getAttribute("data-icon"));
    expect(drawn).toContain("highlighter");
    expect(drawn).toContain("printer");
  });
});

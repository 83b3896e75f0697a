// @vitest-environment happy-dom
// Follow-the-presenter on the meeting screen: a councillor's reader opens at the page presented
// and follows it from page to page and document to document; "Tự xem" (or paging by hand, or
// closing the reader) steps out and keeps the reader's page; one click follows again; the
// presenter's paging shows each page to the meeting; who may not present is offered no way to;
// when the presentation stops, every reader stays where it is.

import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, tick, unmount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { Presentation } from "../protocol/Presentation";
import { capabilities, document as doc, item, meeting, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: { command: string; args: Record<string, unknown> }[] = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  clearMocks();
  document.body.innerHTML = "";
});

/** Item 1 holds document 11 (12 pages) and document 12 (5 pages). */
const documents = [doc(11, 1, 12), doc(12, 1, 5)];
const pageCounts: Record<number, number> = { 11: 12, 12: 5 };

const chair: Partial<MirrorView> = {
  role: "chair",
  user: { id: 1, username: "ct", full_name: "Hoàng Văn Chủ", position: "Chủ tọa" },
  may: capabilities({ manage_polls: true, mark_attendance: true, override_quorum: true, run_meeting: true }),
};

/** A page of `documentId` presented by the chair (user 1), or by `by`. */
function shown(documentId: number, page: number, by = 1, name = "Hoàng Văn Chủ"): Presentation {
  return { document_id: documentId, revision: 1, page, by, name };
}

/** The delegate Nguyễn Văn Ba (user 3), or who `overrides` say, with `presenting` and `presenter`. */
function viewWith(presenting: Presentation | null, overrides: Partial<MirrorView> = {}, presenter: number | null = null): MirrorView {
  const state = { ...meeting([item(1, 0, documents)]), presenting, presenter };
  return mirrorView({ state, ...overrides });
}

function show(view: MirrorView) {
  setLocale("vi");
  calls = [];
  mockIPC((command, args) => {
    const record = (args ?? {}) as Record<string, unknown>;
    calls.push({ command, args: record });
    if (command === "open_document") {
      const id = record.documentId as number;
      return { document: documents.find((candidate) => candidate.id === id), page_count: pageCounts[id], is_current: true };
    }
    if (command === "annotations" || command === "unplaced_annotations") return [];
    if (command === "page_text") return { runs: [], marks: [] };
    return null;
  });
  mockConvertFileSrc("linux");
  const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
  component = mount(MeetingScreen, { target: document.body, props });
  flushSync();
  return props;
}

function byTestId(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
}

const sent = (command: string) => calls.filter((call) => call.command === command).map((call) => call.args);
const opened = () => sent("open_document").map((args) => args.documentId);

/** The page the reader shows, counted from 1, once the document is open. */
async function readerAt(page: number) {
  await vi.waitFor(() => {
    const indicator = byTestId("page-indicator");
    if (!indicator) throw new Error("the reader has not opened the document");
    expect(indicator.dataset.page).toBe(String(page));
  });
}

/** What the reader shows, checked again after the mirror and the reader have settled. */
/** The reader is at `page` and, every pending update applied, still is: nothing moved it. */
async function staysAt(page: number) {
  await readerAt(page);
  await tick();
  flushSync();
  expect(byTestId("page-indicator")!.dataset.page).toBe(String(page));
}

function bar() {
  return byTestId("presenting-bar");
}

describe("a councillor following the presenter", () => {
  it("has their reader opened at the presented page, then follows the next page and the next document", async () => {
    const props = show(viewWith(null));
    expect(byTestId("viewer")).toBeNull();
    expect(bar()).toBeNull();

    props.view = viewWith(shown(11, 4));
    flushSync();
    await readerAt(5);
    expect(opened()).toEqual([11]);
    expect(byTestId("viewer")!.contains(bar())).toBe(true);
    expect(bar()!.dataset.following).toBe("true");
    expect(bar()!.dataset.page).toBe("5");
    expect(bar()!.textContent).toContain("Đang theo dõi trình chiếu của Hoàng Văn Chủ — trang 5");
    expect(byTestId("step-out")!.textContent?.trim()).toBe("Tự xem");
    // Said politely once, without the page: turning pages is not chattered.
    const announcement = byTestId("presenting-announcement")!;
    expect(announcement.getAttribute("role")).toBe("status");
    expect(announcement.textContent).toBe("Đang theo dõi trình chiếu của Hoàng Văn Chủ");

    props.view = viewWith(shown(11, 6));
    flushSync();
    await readerAt(7);
    expect(bar()!.textContent).toContain("trang 7");
    expect(byTestId("presenting-announcement")!.textContent).toBe("Đang theo dõi trình chiếu của Hoàng Văn Chủ");
    // The same document is not fetched again to turn its page.
    expect(opened()).toEqual([11]);

    props.view = viewWith(shown(12, 2));
    flushSync();
    await vi.waitFor(() => expect(opened()).toEqual([11, 12]));
    await readerAt(3);
    expect(byTestId("page-indicator")!.dataset.pageCount).toBe("5");
  });

  it("opens at the presented page when the meeting opens during a presentation", async () => {
    show(viewWith(shown(11, 9)));
    await readerAt(10);
    expect(bar()!.dataset.following).toBe("true");
  });

  it("steps out with “Tự xem” and keeps their page while the presenter moves on", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    const stepOut = byTestId("step-out")!;
    stepOut.focus();
    stepOut.click();
    flushSync();
    expect(bar()!.dataset.following).toBe("false");
    expect(bar()!.textContent).toContain("Hoàng Văn Chủ đang trình chiếu trang 5 — bạn đang tự xem");
    expect(byTestId("step-out")).toBeNull();
    expect(byTestId("presenting-announcement")!.textContent).toBe("Bạn đang tự xem. Hoàng Văn Chủ vẫn đang trình chiếu.");
    // Focus goes to the way back in, which took the pressed button's place.
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("follow-presenter")));

    props.view = viewWith(shown(11, 8));
    flushSync();
    await staysAt(5);
    expect(bar()!.dataset.page).toBe("9");
    props.view = viewWith(shown(12, 0));
    flushSync();
    await staysAt(5);
    expect(opened()).toEqual([11]);
  });

  it("steps out by paging by hand", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    byTestId("page-next")!.click();
    flushSync();
    await readerAt(6);
    expect(bar()!.dataset.following).toBe("false");

    props.view = viewWith(shown(11, 9));
    flushSync();
    await staysAt(6);
    // A councillor turning pages shows them to nobody.
    expect(sent("present_page")).toEqual([]);
  });

  it("follows again in one click, at the presenter's page", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    byTestId("step-out")!.click();
    flushSync();
    byTestId("page-prev")!.click();
    flushSync();
    props.view = viewWith(shown(11, 10));
    flushSync();
    await staysAt(4);

    const follow = byTestId("follow-presenter")!;
    expect(follow.textContent?.trim()).toBe("Theo dõi trình chiếu");
    follow.click();
    flushSync();
    await readerAt(11);
    expect(bar()!.dataset.following).toBe("true");
    expect(byTestId("presenting-announcement")!.textContent).toBe("Đang theo dõi trình chiếu của Hoàng Văn Chủ");

    // And follows from there on.
    props.view = viewWith(shown(11, 11));
    flushSync();
    await readerAt(12);
  });

  it("steps back in to another document the presenter moved to", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    byTestId("step-out")!.click();
    flushSync();
    props.view = viewWith(shown(12, 3));
    flushSync();
    await staysAt(5);
    byTestId("follow-presenter")!.click();
    flushSync();
    await vi.waitFor(() => expect(opened()).toEqual([11, 12]));
    await readerAt(4);
  });

  it("closing the reader steps out; the meeting screen offers to follow again", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    byTestId("viewer-close")!.click();
    flushSync();
    props.view = viewWith(shown(11, 5));
    flushSync();
    await tick();
    flushSync();
    expect(byTestId("viewer")).toBeNull();
    expect(bar()!.dataset.following).toBe("false");
    byTestId("follow-presenter")!.click();
    flushSync();
    await readerAt(6);
    expect(bar()!.dataset.following).toBe("true");
  });

  it("reads on their own when they open an earlier revision from the reader", async () => {
    const revised = { ...doc(11, 1, 12), revision: 2, earlier: [{ ...doc(11, 1, 3), revision: 1, sha256: "cd".repeat(32) }] };
    const lost = {
      id: "m1",
      document_id: 11,
      revision: 1,
      page: 1,
      color: "#ffd400",
      body: { kind: "highlight" as const, rects: [{ left: 0.1, top: 0.5, width: 0.3, height: 0.02 }], quote: { exact: "năm 2027", prefix: "", suffix: "" } },
      shared: false,
      deleted: false,
      changed_at: 1,
      device: "d",
      carried_from: null,
    };
    const state = { ...meeting([item(1, 0, [revised])]), presenting: { ...shown(11, 4), revision: 2 }, presenter: null };
    setLocale("vi");
    calls = [];
    mockIPC((command, args) => {
      const record = (args ?? {}) as Record<string, unknown>;
      calls.push({ command, args: record });
      if (command === "open_document") {
        return record.revision === 1
          ? { document: { ...revised, ...revised.earlier[0], earlier: [] }, page_count: 3, is_current: false }
          : { document: revised, page_count: 12, is_current: true };
      }
      if (command === "unplaced_annotations") return [{ annotation: lost, reason: "text_gone" }];
      if (command === "annotations") return [];
      if (command === "page_text") return { runs: [], marks: [] };
      return null;
    });
    mockConvertFileSrc("linux");
    const props = liveProps({ view: mirrorView({ state }), chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
    await readerAt(5);
    expect(sent("open_document")).toEqual([{ documentId: 11, revision: null }]);

    (await vi.waitFor(() => byTestId("unplaced-old-page")!)).click();
    flushSync();
    await vi.waitFor(() => expect(byTestId("earlier-revision-shown")).not.toBeNull());
    await readerAt(2);
    expect(bar()!.dataset.following).toBe("false");
    // The presenter moves on: the earlier revision stays open, at its page.
    props.view = mirrorView({ state: { ...state, presenting: { ...shown(11, 6), revision: 2 } } });
    flushSync();
    await staysAt(2);
    expect(sent("open_document")).toEqual([
      { documentId: 11, revision: null },
      { documentId: 11, revision: 1 },
    ]);
  });

  it("keeps the reader where it is when the presentation stops, and follows the next one", async () => {
    const props = show(viewWith(shown(11, 4)));
    await readerAt(5);
    props.view = viewWith(shown(11, 7));
    flushSync();
    await readerAt(8);

    props.view = viewWith(null);
    flushSync();
    expect(bar()).toBeNull();
    expect(byTestId("step-out")).toBeNull();
    expect(byTestId("viewer")).not.toBeNull();
    await staysAt(8);
    expect(byTestId("presenting-announcement")!.textContent).toBe("Đã kết thúc trình chiếu");

    // A reader who had stepped out follows the next presentation again.
    byTestId("page-prev")!.click();
    flushSync();
    props.view = viewWith(shown(11, 1));
    flushSync();
    await readerAt(2);
    expect(bar()!.dataset.following).toBe("true");
  });

  it("is offered no way to present, nor to stop another's presentation", async () => {
    const props = show(viewWith(null));
    byTestId("document-open")!.click();
    flushSync();
    await readerAt(1);
    expect(byTestId("present-page")).toBeNull();
    expect(byTestId("stop-presenting")).toBeNull();

    props.view = viewWith(shown(11, 2));
    flushSync();
    await readerAt(3);
    byTestId("step-out")!.click();
    flushSync();
    expect(byTestId("follow-presenter")).not.toBeNull();
    expect(byTestId("present-page")).toBeNull();
    expect(byTestId("stop-presenting")).toBeNull();
    expect(byTestId("you-are-presenting")).toBeNull();
  });
});

describe("who presents", () => {
  it("presents the page they read, and each page they turn to is sent to the meeting", async () => {
    const props = show(viewWith(null, chair));
    byTestId("document-open")!.click();
    flushSync();
    await readerAt(1);
    // Reading alone sends nothing.
    byTestId("page-next")!.click();
    byTestId("page-next")!.click();
    flushSync();
    await readerAt(3);
    expect(sent("present_page")).toEqual([]);
    expect(bar()).toBeNull();

    const present = byTestId("present-page")!;
    expect(present.textContent?.trim()).toBe("Trình chiếu trang này");
    present.focus();
    present.click();
    await vi.waitFor(() => expect(sent("present_page")).toEqual([{ documentId: 11, page: 2 }]));

    props.view = viewWith(shown(11, 2), chair);
    flushSync();
    const you = byTestId("you-are-presenting")!;
    expect(you.textContent).toContain("Bạn đang trình chiếu — trang 3");
    // The presenter never follows their own presentation.
    expect(bar()!.dataset.following).toBe("false");
    expect(byTestId("step-out")).toBeNull();
    expect(byTestId("follow-presenter")).toBeNull();
    expect(byTestId("present-page")).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("stop-presenting")));

    byTestId("page-next")!.click();
    flushSync();
    await vi.waitFor(() => expect(sent("present_page")).toEqual([{ documentId: 11, page: 2 }, { documentId: 11, page: 3 }]));
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "End" }));
    flushSync();
    await vi.waitFor(() => expect(sent("present_page").at(-1)).toEqual({ documentId: 11, page: 11 }));
    // Their own presentation coming back from the server does not move their reader.
    props.view = viewWith(shown(11, 3), chair);
    flushSync();
    await staysAt(12);

    const stop = byTestId("stop-presenting")!;
    expect(stop.textContent?.trim()).toBe("Dừng trình chiếu");
    stop.click();
    await vi.waitFor(() => expect(sent("stop_presenting")).toEqual([{}]));
    props.view = viewWith(null, chair);
    flushSync();
    expect(bar()).toBeNull();
    await staysAt(12);
    expect(byTestId("present-page")).not.toBeNull();
  });

  it("is also the member the chair named, who may present but not run the meeting", async () => {
    const props = show(viewWith(null, {}, 3));
    byTestId("document-open")!.click();
    flushSync();
    await readerAt(1);
    byTestId("present-page")!.click();
    await vi.waitFor(() => expect(sent("present_page")).toEqual([{ documentId: 11, page: 0 }]));
    props.view = viewWith(shown(11, 0, 3, "Nguyễn Văn Ba"), {}, 3);
    flushSync();
    expect(byTestId("you-are-presenting")).not.toBeNull();
    expect(byTestId("stop-presenting")).not.toBeNull();

    // Named no more: the way to present is gone.
    props.view = viewWith(null, {}, null);
    flushSync();
    expect(byTestId("present-page")).toBeNull();
  });

  it("lets the chair, following a named presenter, stop the presentation", async () => {
    show(viewWith(shown(11, 3, 5, "Lê Văn Năm"), chair, 5));
    await readerAt(4);
    expect(bar()!.dataset.following).toBe("true");
    expect(bar()!.textContent).toContain("Đang theo dõi trình chiếu của Lê Văn Năm — trang 4");
    byTestId("stop-presenting")!.click();
    await vi.waitFor(() => expect(sent("stop_presenting")).toEqual([{}]));
  });

  it("shows the server's refusal where it happened", async () => {
    show(viewWith(null, chair));
    mockIPC((command, args) => {
      calls.push({ command, args: (args ?? {}) as Record<string, unknown> });
      if (command === "present_page") {
        throw { code: "forbidden", message_vi: "Bạn không được trình chiếu", message_en: "You may not present", detail: "" };
      }
      if (command === "open_document") return { document: documents[0], page_count: 12, is_current: true };
      if (command === "page_text") return { runs: [], marks: [] };
      return [];
    });
    byTestId("document-open")!.click();
    flushSync();
    await readerAt(1);
    byTestId("present-page")!.click();
    await vi.waitFor(() => expect(byTestId("presenting-error")?.textContent).toContain("Bạn không được trình chiếu"));
  });
});

// @vitest-environment happy-dom
// The notice tray: newest first and only a few, closed by its × or gone by itself after a while
// unless the pointer or the keyboard is on it; "Xem" hands the notice's target to the screen;
// arriving it never takes the focus, and a screen reader hears one sentence per arrival.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId } from "../testing/tauri";
import NoticeTray from "./NoticeTray.svelte";
import { NOTICE_SHOWN_MS, type Notice, type NoticeTarget } from "./notices";

let tray: ReturnType<typeof NoticeTray> | null = null;
let opened: NoticeTarget[] = [];

beforeEach(() => {
  setLocale("vi");
  opened = [];
});

afterEach(() => {
  if (tray) unmount(tray);
  tray = null;
  document.body.innerHTML = "";
  vi.useRealTimers();
});

function show(waiting = false) {
  tray = mount(NoticeTray, { target: document.body, props: { onOpen: (target: NoticeTarget) => opened.push(target), waiting } });
  flushSync();
  return tray;
}

function push(...batch: Notice[]) {
  tray!.push(batch);
  flushSync();
}

const pollOpened = (id: number): Notice => ({
  id: `poll-opened:${id}`,
  kind: "poll_opened",
  key: "notice.pollOpened",
  params: { title: `Biểu quyết ${id}` },
  target: { kind: "poll", itemId: 2, pollId: id },
});
const itemAdded = (id: number): Notice => ({
  id: `item-added:${id}`,
  kind: "item_added",
  key: "notice.itemAdded",
  params: { title: `Nội dung ${id}` },
  target: { kind: "item", itemId: id },
});

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const ids = () => all("notice").map((element) => element.dataset.noticeId);
const said = () => byTestId("notices-announcement")!.textContent;

describe("the tray", () => {
  it("shows nothing until something changes, and keeps its live region on the page meanwhile", () => {
    show();
    expect(byTestId("notices")).toBeNull();
    const region = byTestId("notices-announcement")!;
    expect(region.getAttribute("aria-live")).toBe("polite");
    expect(region.textContent).toBe("");
  });

  it("shows each notice's words with a Xem and a named ×, newest first, at most four", () => {
    show();
    push(itemAdded(3));
    push(pollOpened(5), itemAdded(4));
    expect(all("notice-text").map((element) => element.textContent)).toEqual([
      "Bắt đầu biểu quyết: Biểu quyết 5",
      "Chương trình họp có thêm nội dung: Nội dung 4",
      "Chương trình họp có thêm nội dung: Nội dung 3",
    ]);
    expect(byTestId("notices")!.getAttribute("aria-label")).toBe("Thông báo");
    const first = byTestId("notice")!;
    const text = first.querySelector('[data-testid="notice-text"]')!;
    const close = first.querySelector<HTMLElement>('[data-testid="notice-close"]')!;
    expect(first.querySelector('[data-testid="notice-show"]')!.textContent?.trim()).toBe("Xem");
    expect(close.getAttribute("aria-label")).toBe("Đóng thông báo");
    expect(close.getAttribute("aria-describedby")).toBe(text.id);

    push(itemAdded(6), itemAdded(7));
    expect(ids()).toEqual(["item-added:6", "item-added:7", "poll-opened:5", "item-added:4"]);
  });

  it("tells a change once, even when it comes again", () => {
    show();
    push(pollOpened(5));
    byTestId("notice-close")!.click();
    flushSync();
    push(pollOpened(5));
    expect(byTestId("notice")).toBeNull();
  });

  it("never takes the focus when a notice arrives", () => {
    show();
    const elsewhere = document.createElement("button");
    document.body.append(elsewhere);
    elsewhere.focus();
    push(pollOpened(5));
    expect(document.activeElement).toBe(elsewhere);
  });
});

describe("closing and opening", () => {
  it("× removes its notice and puts the keyboard on the next one's ×, then back where it was", async () => {
    show();
    const elsewhere = document.createElement("button");
    document.body.append(elsewhere);
    push(pollOpened(5), itemAdded(3));
    elsewhere.focus();
    const [firstClose] = all("notice-close");
    firstClose.focus();
    firstClose.click();
    await vi.waitFor(() => expect(ids()).toEqual(["item-added:3"]));
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("notice-close")));

    byTestId("notice-close")!.click();
    await vi.waitFor(() => expect(byTestId("notices")).toBeNull());
    await vi.waitFor(() => expect(document.activeElement).toBe(elsewhere));
    expect(opened).toEqual([]);
  });

  it("Xem hands over the notice's target and removes the notice", () => {
    show();
    push(pollOpened(5), itemAdded(3));
    all("notice-show")[0].click();
    flushSync();
    expect(opened).toEqual([{ kind: "poll", itemId: 2, pollId: 5 }]);
    expect(ids()).toEqual(["item-added:3"]);
  });
});

describe("what a screen reader hears", () => {
  it("one notice as it reads, several arriving together in one sentence", () => {
    show();
    push(pollOpened(5));
    expect(said()).toBe("Bắt đầu biểu quyết: Biểu quyết 5");
    push(itemAdded(3), itemAdded(4), pollOpened(6));
    expect(said()).toBe(
      "3 thông báo mới: Chương trình họp có thêm nội dung: Nội dung 3; Chương trình họp có thêm nội dung: Nội dung 4; Bắt đầu biểu quyết: Biểu quyết 6",
    );
    // The visible notices are not a live region themselves: they would be read a second time.
    expect(byTestId("notices")!.closest("[aria-live]")).toBeNull();
  });

  it("nothing new when only notices already told come again", () => {
    show();
    push(pollOpened(5));
    push(pollOpened(5));
    expect(said()).toBe("Bắt đầu biểu quyết: Biểu quyết 5");
    expect(ids()).toEqual(["poll-opened:5"]);
  });
});

describe("going by itself", () => {
  it("after its time, each notice counted from its own arrival", () => {
    vi.useFakeTimers();
    show();
    push(pollOpened(5));
    vi.advanceTimersByTime(NOTICE_SHOWN_MS / 2);
    push(itemAdded(3));
    vi.advanceTimersByTime(NOTICE_SHOWN_MS / 2 - 1);
    flushSync();
    expect(ids()).toEqual(["item-added:3", "poll-opened:5"]);
    vi.advanceTimersByTime(1);
    flushSync();
    expect(ids()).toEqual(["item-added:3"]);
    vi.advanceTimersByTime(NOTICE_SHOWN_MS / 2);
    flushSync();
    expect(byTestId("notices")).toBeNull();
  });

  it("not while the pointer is on the tray; with its whole time again once it leaves", () => {
    vi.useFakeTimers();
    show();
    push(pollOpened(5));
    byTestId("notices")!.dispatchEvent(new Event("pointerenter"));
    vi.advanceTimersByTime(NOTICE_SHOWN_MS * 3);
    flushSync();
    expect(ids()).toEqual(["poll-opened:5"]);
    byTestId("notices")!.dispatchEvent(new Event("pointerleave"));
    vi.advanceTimersByTime(NOTICE_SHOWN_MS - 1);
    flushSync();
    expect(ids()).toEqual(["poll-opened:5"]);
    vi.advanceTimersByTime(1);
    flushSync();
    expect(byTestId("notices")).toBeNull();
  });

  it("not while the keyboard is on the tray", () => {
    vi.useFakeTimers();
    show();
    const elsewhere = document.createElement("button");
    document.body.append(elsewhere);
    push(pollOpened(5));
    byTestId("notice-show")!.focus();
    vi.advanceTimersByTime(NOTICE_SHOWN_MS * 3);
    flushSync();
    expect(ids()).toEqual(["poll-opened:5"]);
    elsewhere.focus();
    vi.advanceTimersByTime(NOTICE_SHOWN_MS);
    flushSync();
    expect(byTestId("notices")).toBeNull();
  });

  it("not while the reader is open: unseen and untimed, yet said to a screen reader", () => {
    vi.useFakeTimers();
    show(true);
    push(pollOpened(5));
    expect(byTestId("notices")).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    expect(said()).toContain("Biểu quyết 5");
  });

  it("leaves no timer behind when the tray goes", () => {
    vi.useFakeTimers();
    show();
    push(pollOpened(5), itemAdded(3));
    expect(vi.getTimerCount()).toBe(2);
    unmount(tray!);
    tray = null;
    expect(vi.getTimerCount()).toBe(0);
  });
});

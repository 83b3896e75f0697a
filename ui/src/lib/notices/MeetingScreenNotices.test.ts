// @vitest-environment happy-dom
// The notice tray on the meeting screen: each new mirror is compared with the one before, what
// changed is told, and "Xem" takes the councillor to it (the item chosen, the keyboard on the
// document, the item or their place in the queue), closing the reader first.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import type { Floor } from "../protocol/Floor";
import type { MeetingState } from "../protocol/MeetingState";
import { document as doc, item, meeting, mirrorView, poll, speechRequest } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls } from "../testing/tauri";

let component: ReturnType<typeof mount> | null = null;

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
});

/** Items 1 and 2 of meeting 7, item 1 with document 10. */
function state(overrides: Partial<MeetingState> = {}): MeetingState {
  return { ...meeting([item(1, 0, [doc(10, 1)]), item(2, 1)]), ...overrides };
}

function show(view: MirrorView) {
  setLocale("vi");
  recordCalls(() => null);
  const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
  component = mount(MeetingScreen, { target: document.body, props });
  flushSync();
  return props;
}

const texts = () => [...document.querySelectorAll('[data-testid="notice-text"]')].map((element) => element.textContent);

describe("the meeting screen's notices", () => {
  it("none on opening the meeting, nor for another meeting's mirror", () => {
    const props = show(mirrorView({ state: state({ polls: [poll(5, 2)] }) }));
    expect(byTestId("notices")).toBeNull();

    const other = state({ polls: [poll(5, 2), poll(6, 2)], meeting: { ...state().meeting, id: 8 } });
    props.view = mirrorView({ meeting_id: 8, state: other });
    flushSync();
    expect(byTestId("notices")).toBeNull();
  });

  it("a new document: Xem chooses its item and puts the keyboard on the document", async () => {
    const props = show(mirrorView({ state: state() }));
    expect(byTestId("item-title")!.dataset.itemId).toBe("1");

    props.view = mirrorView({ seq: 11, state: { ...state(), items: [item(1, 0, [doc(10, 1)]), item(2, 1, [doc(11, 2)])] } });
    flushSync();
    expect(texts()).toEqual(["Tài liệu mới «Tờ trình 11» trong nội dung «Nội dung 2»"]);
    // Told, not taken there.
    expect(byTestId("item-title")!.dataset.itemId).toBe("1");

    byTestId("notice-show")!.click();
    await vi.waitFor(() => expect(props.chosenItemId).toBe(2));
    const open = () => document.querySelector('[data-testid="document-open"][data-document-id="11"]');
    await vi.waitFor(() => expect(document.activeElement).toBe(open()));
    expect(byTestId("notices")).toBeNull();
  });

  it("a poll opened: Xem chooses its item and puts the keyboard on the item's title", async () => {
    const props = show(mirrorView({ state: state() }));
    props.view = mirrorView({ seq: 11, state: state({ polls: [poll(5, 2)] }), can_vote_in: [5] });
    flushSync();
    expect(texts()).toEqual(["Bắt đầu biểu quyết: Biểu quyết 5"]);

    byTestId("notice-show")!.click();
    await vi.waitFor(() => expect(byTestId("item-title")!.dataset.itemId).toBe("2"));
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("item-title")));
    expect(document.querySelector('[data-testid="poll"][data-poll-id="5"]')).not.toBeNull();
  });

  it("next to speak: Xem puts the keyboard on the member's place in the queue", async () => {
    const waiting: Floor = { queue: [speechRequest(5, "Lê Văn Năm"), speechRequest(3, "Nguyễn Văn Ba")], speaking: null };
    const props = show(mirrorView({ state: state({ floor: waiting }) }));
    props.view = mirrorView({ seq: 11, state: state({ floor: { ...waiting, queue: waiting.queue.slice(1) } }) });
    flushSync();
    expect(texts()).toEqual(["Bạn là người phát biểu tiếp theo"]);

    byTestId("notice-show")!.click();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("my-floor-status")));
    expect(byTestId("my-floor-status")!.dataset.place).toBe("1");
  });

  it("waits unseen while the reader is open, shows when it closes, and Xem goes to the item", async () => {
    const props = show(mirrorView({ state: state() }));
    document.querySelector<HTMLElement>('[data-testid="document-open"][data-document-id="10"]')!.click();
    await vi.waitFor(() => expect(byTestId("viewer")).not.toBeNull());

    props.view = mirrorView({ seq: 11, state: { ...state(), items: [...state().items, item(3, 2)] } });
    flushSync();
    expect(texts()).toEqual([]);
    expect(byTestId("notices-announcement")!.textContent).toContain("Nội dung 3");
    byTestId("viewer-close")!.click();
    await vi.waitFor(() => expect(byTestId("viewer")).toBeNull());
    await vi.waitFor(() => expect(texts()).toEqual(["Chương trình họp có thêm nội dung: Nội dung 3"]));
    byTestId("notice-show")!.click();
    await vi.waitFor(() => expect(byTestId("item-title")!.dataset.itemId).toBe("3"));
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("item-title")));
  });
});

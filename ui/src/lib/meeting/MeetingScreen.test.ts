// @vitest-environment happy-dom
// The meeting screen as the mirror changes under it: the item under discussion is marked for
// everyone, and a councillor is told (once, politely) when the chair moves on and may go there,
// never taken there; the member given the floor is told once; the header's clock shows the hall's
// time by the server's clock.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { Floor } from "../protocol/Floor";
import { capabilities, item, meeting, mirrorView, speech, speechRequest } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import MeetingScreen from "./MeetingScreen.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
  vi.useRealTimers();
});

/** Meeting 7 with items 1–3, item `current` under discussion and `floor`, as `overrides` see it. */
function viewWith(current: number | null, floor: Floor = { queue: [], speaking: null }, overrides: Partial<MirrorView> = {}): MirrorView {
  const state = { ...meeting([item(1, 0), item(2, 1), item(3, 2)]), current_item: current, floor };
  return mirrorView({ state, ...overrides });
}

const chairView: Partial<MirrorView> = {
  role: "chair",
  user: { id: 1, username: "ct", full_name: "Hoàng Văn Chủ", position: "Chủ tọa" },
  may: capabilities({ manage_polls: true, mark_attendance: true, override_quorum: true, run_meeting: true }),
};

function show(view: MirrorView) {
  setLocale("vi");
  calls = recordCalls(() => null);
  const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
  component = mount(MeetingScreen, { target: document.body, props });
  flushSync();
  return props;
}

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const agendaItem = (id: number) => document.querySelector<HTMLElement>(`[data-testid="agenda-item"][data-item-id="${id}"]`)!;

describe("the item under discussion", () => {
  it("is marked in the agenda for everyone, with words, not colour alone", () => {
    show(viewWith(2));
    expect(all("agenda-item").map((element) => element.dataset.current ?? "")).toEqual(["", "true", ""]);
    const badges = all("current-badge");
    expect(badges).toHaveLength(1);
    expect(agendaItem(2).contains(badges[0])).toBe(true);
    expect(badges[0].textContent).toContain("Đang thảo luận");
    // A delegate does not set it.
    expect(byTestId("set-current-item")).toBeNull();
  });

  it("is set and unset by the chair from the item itself", async () => {
    const props = show(viewWith(null, undefined, chairView));
    expect(byTestId("current-badge")).toBeNull();
    const set = byTestId("set-current-item")!;
    expect(set.textContent?.trim()).toBe("Đặt làm nội dung đang thảo luận");
    set.click();
    await vi.waitFor(() => expect(calls.filter((call) => call.command === "set_current_item").map((call) => call.args)).toEqual([{ itemId: 1 }]));

    props.view = viewWith(1, undefined, chairView);
    flushSync();
    expect(agendaItem(1).dataset.current).toBe("true");
    expect(byTestId("item-current")!.textContent).toContain("Nội dung này đang được thảo luận");
    // The chair moved it there: no notice for them.
    expect(byTestId("current-item-notice")).toBeNull();
    const unset = byTestId("set-current-item") as HTMLButtonElement;
    expect(unset.textContent?.trim()).toBe("Bỏ đánh dấu đang thảo luận");
    await vi.waitFor(() => expect(unset.disabled).toBe(false));
    unset.click();
    await vi.waitFor(() =>
      expect(calls.filter((call) => call.command === "set_current_item").map((call) => call.args)).toEqual([{ itemId: 1 }, { itemId: null }]),
    );
  });

  it("when the chair moves on, tells a councillor where with a button to go, without taking them there", async () => {
    const props = show(viewWith(1));
    // Not on first load.
    expect(byTestId("current-item-notice")).toBeNull();
    expect(byTestId("item-title")!.dataset.itemId).toBe("1");

    props.view = viewWith(3);
    flushSync();
    const notice = byTestId("current-item-notice")!;
    expect(notice.textContent).toContain("Chuyển sang thảo luận: Nội dung 3");
    expect(notice.closest('[role="status"]')).not.toBeNull();
    // The councillor still reads what they were reading.
    expect(byTestId("item-title")!.dataset.itemId).toBe("1");

    // Other changes of the mirror do not tell it again after it was closed.
    byTestId("current-item-notice-close")!.click();
    flushSync();
    expect(byTestId("current-item-notice")).toBeNull();
    props.view = { ...viewWith(3), seq: 11 };
    flushSync();
    expect(byTestId("current-item-notice")).toBeNull();

    props.view = viewWith(2);
    flushSync();
    byTestId("go-to-current-item")!.click();
    flushSync();
    expect(props.chosenItemId).toBe(2);
    expect(byTestId("item-title")!.dataset.itemId).toBe("2");
    expect(byTestId("current-item-notice")).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("item-title")));
  });
});

describe("the floor", () => {
  it("is on the meeting screen for everyone", () => {
    show(viewWith(null, { queue: [speechRequest(5, "Lê Văn Năm")], speaking: null }));
    expect(byTestId("floor")).not.toBeNull();
    expect(all("queued-speaker").map((row) => row.dataset.userId)).toEqual(["5"]);
  });

  it("tells the member given the floor once, not again as the mirror changes", async () => {
    const started = Date.now() / 1000;
    const waiting: Floor = { queue: [speechRequest(3, "Nguyễn Văn Ba"), speechRequest(5, "Lê Văn Năm")], speaking: null };
    const props = show(viewWith(null, waiting));
    expect(byTestId("your-turn")).toBeNull();

    const given: Floor = { queue: [speechRequest(5, "Lê Văn Năm")], speaking: speech(3, "Nguyễn Văn Ba", started, 300) };
    props.view = viewWith(null, given);
    flushSync();
    const notice = byTestId("your-turn")!;
    expect(notice.getAttribute("role")).toBe("alert");
    expect(notice.textContent).toContain("Mời bạn phát biểu");
    expect(notice.textContent).toContain("Thời gian được mời: 5 phút");

    // The queue changes and the mirror moves on: the same notice stays, not a new one to announce.
    props.view = { ...viewWith(null, { ...given, queue: [] }), seq: 12 };
    flushSync();
    expect(all("your-turn")).toHaveLength(1);
    expect(byTestId("your-turn")).toBe(notice);

    byTestId("your-turn-close")!.click();
    flushSync();
    expect(byTestId("your-turn")).toBeNull();
    // The keyboard goes on to where the speaker ends their speech.
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("my-floor-status")));
    expect(byTestId("my-floor-status")!.textContent?.trim()).toBe("Bạn đang phát biểu");
    props.view = { ...viewWith(null, given), seq: 13 };
    flushSync();
    expect(byTestId("your-turn")).toBeNull();

    // A later speech is told again.
    props.view = viewWith(null, { queue: [], speaking: speech(3, "Nguyễn Văn Ba", started + 600, 120) });
    flushSync();
    expect(byTestId("your-turn")).not.toBeNull();
  });

  it("tells nobody else that it is their turn", () => {
    show(viewWith(null, { queue: [], speaking: speech(5, "Lê Văn Năm", Date.now() / 1000) }));
    expect(byTestId("your-turn")).toBeNull();
    expect(byTestId("speaking-now")!.dataset.userId).toBe("5");
  });
});

describe("the meeting clock", () => {
  it("shows the hall's time, HH:MM by the server's clock, and moves on each minute", () => {
    vi.useFakeTimers();
    // 08:14:50 in Vietnam by the laptop, which runs 20 s slow: 08:15:10 by the server.
    vi.setSystemTime(new Date("2026-12-01T01:14:50Z"));
    show(viewWith(null, undefined, { server_clock_offset_ms: 20_000 }));
    const clock = byTestId("meeting-clock")!;
    expect(clock.textContent).toBe("08:15");
    vi.advanceTimersByTime(49_000);
    flushSync();
    expect(byTestId("meeting-clock")!.textContent).toBe("08:15");
    vi.advanceTimersByTime(1_000);
    flushSync();
    expect(byTestId("meeting-clock")!.textContent).toBe("08:16");
    vi.advanceTimersByTime(60_000 * 50);
    flushSync();
    expect(byTestId("meeting-clock")!.textContent).toBe("09:06");
  });
});
